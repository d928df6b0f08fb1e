using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitPromote.TestSupport;

/// <summary>One seeded pipeline execution.</summary>
public sealed record FakeExecution(
    string Id,
    string Status,
    IReadOnlyList<string> Revisions,
    DateTimeOffset LastUpdateTime,
    IReadOnlySet<string>? SucceededStages = null,
    string SourceActionName = "Source")
{
    public static string NewId() => Guid.NewGuid().ToString();
}

/// <summary>A failure the fake answers instead of doing the work.</summary>
public enum FakeFault { Throttling, InternalError, AccessDenied, ExpiredToken }

/// <summary>
/// A loopback CodePipeline that speaks the JSON 1.1 protocol (<c>X-Amz-Target: CodePipeline_20150709.*</c>,
/// <c>application/x-amz-json-1.1</c>, errors as <c>{"__type", "message"}</c>) for ListPipelineExecutions, shaped as
/// botocore's service-2.json gives it. It verifies SigV4 with its own code (unsigned, wrong scope, unknown key or bad
/// signature are refused as AWS refuses them), pages with nextToken, applies the succeededInStage filter, and can
/// inject throttling, 500s, AccessDenied, ExpiredToken and delays. Counts the requests it received.
/// </summary>
public sealed class FakeCodePipeline : IDisposable
{
    public const string AccessKeyId = "AKIDFAKECODEPIPELINE";
    public const string SecretAccessKey = "fake-secret-for-tests-only";
    public const string AccountId = "123456789012";

    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SigV4Verifier _verifier;
    private readonly ConcurrentDictionary<string, List<FakeExecution>> _pipelines = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeFault> _faults = new();
    private readonly ConcurrentQueue<JsonObject> _received = new();

    public FakeCodePipeline(string region = "eu-west-1", IReadOnlyDictionary<string, string>? extraKeys = null)
    {
        Region = region;
        var keys = new Dictionary<string, string>(extraKeys ?? new Dictionary<string, string>()) { [AccessKeyId] = SecretAccessKey };
        _verifier = new SigV4Verifier(region, "codepipeline", keys);
        (_listener, Endpoint) = FreePort.StartListener();
        _ = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }
    public string Region { get; }

    /// <summary>Every request that reached the fake, signed or not.</summary>
    public RequestCounter Requests { get; } = new();

    /// <summary>Requests refused for their signature.</summary>
    public int Rejected => Volatile.Read(ref _rejected);
    private int _rejected;

    /// <summary>How long the fake waits before answering each request.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Bodies of the accepted ListPipelineExecutions requests, in order.</summary>
    public IReadOnlyList<JsonObject> ReceivedListRequests => _received.ToArray();

    /// <summary>Adds a pipeline (with no executions) so it exists.</summary>
    public void AddPipeline(string name) => _pipelines.TryAdd(name, []);

    /// <summary>Adds executions to a pipeline (created when new); listing returns them newest first by <see cref="FakeExecution.LastUpdateTime"/>.</summary>
    public void AddExecutions(string pipeline, params FakeExecution[] executions)
    {
        var list = _pipelines.GetOrAdd(pipeline, _ => []);
        lock (list) list.AddRange(executions);
    }

    /// <summary>The next <paramref name="times"/> requests answer <paramref name="fault"/> instead.</summary>
    public void Inject(FakeFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++) _faults.Enqueue(fault);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening) { return; }
            catch (HttpListenerException) { continue; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var (status, body) = await AnswerAsync(context.Request).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(body);
            response.StatusCode = status;
            response.ContentType = "application/x-amz-json-1.1";
            response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // the client went away (timeout) or we are stopping
        }
        finally
        {
            try { response.Close(); } catch (Exception) { }
        }
    }

    private async Task<(int Status, string Body)> AnswerAsync(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
        var body = buffer.ToArray();
        var target = request.Headers["X-Amz-Target"];
        Requests.Add(RequestCounter.OperationOf(target, request.ContentType, body, request.HttpMethod, request.Url!.AbsolutePath));

        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, _stop.Token).ConfigureAwait(false);

        var headers = request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!.ToLowerInvariant(), k => request.Headers[k]!, StringComparer.Ordinal);
        if (_verifier.Verify(new SignedRequest(request.HttpMethod, request.RawUrl ?? "/", headers, body), DateTimeOffset.UtcNow) is { } rejection)
        {
            Interlocked.Increment(ref _rejected);
            return Error(rejection.Status, rejection.Code, rejection.Message);
        }
        if (request.HttpMethod != "POST" || (request.Url.AbsolutePath != "/"))
            return Error(404, "UnknownOperationException", "");
        if (request.ContentType is not { } type || !type.StartsWith("application/x-amz-json-1.1", StringComparison.OrdinalIgnoreCase))
            return Error(400, "SerializationException", "Expected content type application/x-amz-json-1.1");

        if (_faults.TryDequeue(out var fault))
        {
            return fault switch
            {
                FakeFault.Throttling => Error(400, "ThrottlingException", "Rate exceeded"),
                FakeFault.InternalError => Error(500, "InternalFailure", "We encountered an internal error. Please try again."),
                FakeFault.AccessDenied => Error(400, "AccessDeniedException",
                    $"User: arn:aws:sts::{AccountId}:assumed-role/dev/test is not authorized to perform: codepipeline:ListPipelineExecutions on resource: " +
                        $"arn:aws:codepipeline:{Region}:{AccountId}:pipeline"),
                FakeFault.ExpiredToken => Error(400, "ExpiredTokenException", "The security token included in the request is expired"),
                _ => Error(500, "InternalFailure", "unknown fault"),
            };
        }

        JsonObject input;
        try { input = JsonNode.Parse(body.Length == 0 ? "{}"u8.ToArray() : body) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException) { return Error(400, "SerializationException", "Start of structure or map found where not expected."); }

        return target switch
        {
            "CodePipeline_20150709.ListPipelineExecutions" => ListPipelineExecutions(input),
            _ => Error(400, "UnknownOperationException", ""),
        };
    }

    private (int, string) ListPipelineExecutions(JsonObject input)
    {
        _received.Enqueue((JsonObject)input.DeepClone());
        var name = input["pipelineName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
            return Error(400, "ValidationException",
                "1 validation error detected: Value null at 'pipelineName' failed to satisfy constraint: Member must not be null");
        var max = 100;
        if (input["maxResults"] is { } m)
        {
            max = m.GetValue<int>();
            if (max is < 1 or > 100)
                return Error(400, "ValidationException",
                    $"1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: Member must have value " +
                        $"{(max < 1 ? "greater than or equal to 1" : "less than or equal to 100")}");
        }
        if (!_pipelines.TryGetValue(name, out var list))
            return Error(400, "PipelineNotFoundException", $"Account '{AccountId}' does not have a pipeline with name '{name}'");

        var stage = input["filter"]?["succeededInStage"]?["stageName"]?.GetValue<string>();
        List<FakeExecution> executions;
        lock (list)
        {
            executions = list.OrderByDescending(e => e.LastUpdateTime)
                // The filter returns only executions that completed that stage successfully, whatever their overall status.
                .Where(e => stage is null || (e.SucceededStages?.Contains(stage) ?? false))
                .ToList();
        }

        var offset = 0;
        if (input["nextToken"]?.GetValue<string>() is { } token && !TryReadToken(token, name, stage, out offset))
            return Error(400, "InvalidNextTokenException", "The nextToken is not valid.");

        var page = executions.Skip(offset).Take(max).ToList();
        var output = new JsonObject
        {
            ["pipelineExecutionSummaries"] = new JsonArray(page.Select(Summary).ToArray<JsonNode?>()),
        };
        if (offset + page.Count < executions.Count)
            output["nextToken"] = WriteToken(name, stage, offset + page.Count);
        return (200, output.ToJsonString());
    }

    private static JsonObject Summary(FakeExecution e) => new()
    {
        ["pipelineExecutionId"] = e.Id,
        ["status"] = e.Status,
        ["startTime"] = e.LastUpdateTime.AddMinutes(-5).ToUnixTimeMilliseconds() / 1000.0,
        ["lastUpdateTime"] = e.LastUpdateTime.ToUnixTimeMilliseconds() / 1000.0,
        ["sourceRevisions"] = new JsonArray(e.Revisions.Select(r => (JsonNode?)new JsonObject
        {
            ["actionName"] = e.SourceActionName,
            ["revisionId"] = r,
            ["revisionSummary"] = $"commit {r[..Math.Min(7, r.Length)]}",
        }).ToArray()),
        ["trigger"] = new JsonObject { ["triggerType"] = "CloudWatchEvent", ["triggerDetail"] = "arn:aws:events:rule/test" },
        ["executionMode"] = "SUPERSEDED",
        ["executionType"] = "STANDARD",
    };

    private static string WriteToken(string pipeline, string? stage, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"v1|{pipeline}|{stage}|{offset}"));

    private static bool TryReadToken(string token, string pipeline, string? stage, out int offset)
    {
        offset = 0;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
            return parts.Length == 4 && parts[0] == "v1" && parts[1] == pipeline && parts[2] == (stage ?? "")
                && int.TryParse(parts[3], out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static (int, string) Error(int status, string code, string message) =>
        (status, new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());

    public void Dispose()
    {
        _stop.Cancel();
        // Close alone: after Stop, HttpListener.Close binds the port again to unregister it, and fails if another test has it by then.
        try { _listener.Close(); } catch (ObjectDisposedException) { }
        _stop.Dispose();
    }
}
