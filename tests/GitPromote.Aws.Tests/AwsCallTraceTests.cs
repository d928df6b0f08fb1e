using System.Collections.Concurrent;
using System.Net;
using GitPromote.Aws.Access;
using GitPromote.Core.Diagnostics;

namespace GitPromote.Aws.Tests;

/// <summary>PROMOTE_TRACE's line per AWS request: what was asked, how long it took, how it ended; never a key or token.</summary>
public sealed class AwsCallTraceTests
{
    private const string KeyId = "AKIATRACE0000KEYID01";
    private const string Signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    private static HttpRequestMessage Signed(string url, string target, string region = "eu-west-1", string service = "ssm")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={KeyId}/20261201/{region}/{service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={Signature}");
        request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", "session-token-value");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        return request;
    }

    [Fact]
    public async Task A_signed_request_is_named_by_service_operation_and_region_from_its_credential_scope()
    {
        using var request = Signed("http://127.0.0.1:5000/", "AmazonSSM.GetParameters");
        Assert.Equal("aws ssm GetParameters eu-west-1", await AwsCallTrace.Describe(request));
    }

    [Fact]
    public async Task An_unsigned_request_is_named_from_its_operation_header_or_its_form_action()
    {
        using var pipeline = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:5001/");
        pipeline.Headers.TryAddWithoutValidation("X-Amz-Target", "CodePipeline_20150709.ListPipelineExecutions");
        using var sts = new HttpRequestMessage(HttpMethod.Post, "https://sts.eu-west-1.amazonaws.com/")
        {
            Content = new FormUrlEncodedContent([new("Action", "AssumeRoleWithWebIdentity"), new("WebIdentityToken", "eyJhbGciOi.secret")]),
        };

        Assert.Equal("aws codepipeline ListPipelineExecutions", await AwsCallTrace.Describe(pipeline));
        Assert.Equal("aws sts AssumeRoleWithWebIdentity", await AwsCallTrace.Describe(sts));
    }

    [Fact]
    public async Task Each_request_gives_one_line_with_its_status_or_failure_and_no_credential()
    {
        var lines = new ConcurrentQueue<string>();
        var answers = new Queue<Func<HttpResponseMessage>>([
            () => new HttpResponseMessage(HttpStatusCode.OK),
            () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            () => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)"),
        ]);
        using var invoker = new HttpMessageInvoker(new AwsCallTrace(new Answering(answers)));
        var trace = CallTrace.SendTo(lines.Enqueue);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                using var request = Signed("http://127.0.0.1:9/", "AmazonSSM.TraceProbe");
                try { (await invoker.SendAsync(request, default)).Dispose(); }
                catch (HttpRequestException) { }
            }
        }
        finally
        {
            trace.Dispose();
        }

        // Other tests may make AWS calls meanwhile: only this test's operation counts.
        var mine = lines.Where(l => l.Contains("TraceProbe", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Matches(@"^git-promote: trace: aws ssm TraceProbe eu-west-1: \d+ ms, status 200$", mine[0]);
        Assert.Matches(@"^git-promote: trace: aws ssm TraceProbe eu-west-1: \d+ ms, status 503$", mine[1]);
        Assert.Matches(@"^git-promote: trace: aws ssm TraceProbe eu-west-1: \d+ ms, failed: ConnectionError$", mine[2]);
        Assert.All(mine, l => Assert.DoesNotContain(KeyId, l));
        Assert.All(mine, l => Assert.DoesNotContain(Signature, l));
        Assert.All(mine, l => Assert.DoesNotContain("session-token", l));
    }

    [Fact]
    public async Task A_call_is_timed_until_its_whole_answer_is_read_not_only_its_headers()
    {
        var lines = new ConcurrentQueue<string>();
        var answers = new Queue<Func<HttpResponseMessage>>([
            () => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new SlowStream(TimeSpan.FromMilliseconds(400))) },
        ]);
        using var invoker = new HttpMessageInvoker(new AwsCallTrace(new Answering(answers)));
        using (CallTrace.SendTo(lines.Enqueue))
        {
            using var request = Signed("http://127.0.0.1:9/", "AmazonSSM.SlowBodyProbe");
            using var response = await invoker.SendAsync(request, default);
            Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        }

        var line = Assert.Single(lines, l => l.Contains("SlowBodyProbe", StringComparison.Ordinal));
        var ms = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @": (\d+) ms, status 200$").Groups[1].Value);
        Assert.True(ms >= 350, line);
    }

    /// <summary>A body of "{}" whose first read waits: an answer whose headers come at once and whose body does not.</summary>
    private sealed class SlowStream(TimeSpan wait) : MemoryStream("{}"u8.ToArray())
    {
        private bool _waited;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_waited) { _waited = true; await Task.Delay(wait, cancellationToken); }
            return await base.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    private sealed class Answering(Queue<Func<HttpResponseMessage>> answers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answers.Dequeue()());
    }
}
