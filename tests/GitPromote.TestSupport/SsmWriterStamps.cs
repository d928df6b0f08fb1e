using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitPromote.TestSupport;

/// <summary>
/// What real SSM does and moto does not: GetParameterHistory names each version's writer (<c>LastModifiedUser</c>, the ARN of the
/// credentials that put it); moto answers "N/A". The proxy (<see cref="CountingProxy"/>) remembers which access key signed each
/// successful PutParameter (name and version), asks moto's STS who that key is (GetCallerIdentity with the key in the signature:
/// moto reads the key, not the signature), and writes that ARN into the history answers it relays. A version written around the
/// proxy stays "N/A", as a writer SSM does not name. Writers are kept per emulator, for every proxy in front of it.
/// </summary>
public sealed partial class SsmWriterStamps(HttpClient upstream, Uri target)
{
    // Shared by every proxy in front of the same emulator (a test may write through one and read through another), as SSM keeps it.
    private static readonly ConcurrentDictionary<(string Target, string Name, long Version), string> WrittenWith = new();
    private static readonly ConcurrentDictionary<(string Target, string Key), Task<string?>> ArnOfKey = new();

    public async Task<byte[]> StampAsync(RecordedRequest request, byte[] answer, CancellationToken token)
    {
        try
        {
            return await StampOrThrowAsync(request, answer, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or NullReferenceException)
        {
            return answer; // not an answer of the shape SSM gives: relayed as it came
        }
    }

    private async Task<byte[]> StampOrThrowAsync(RecordedRequest request, byte[] answer, CancellationToken token)
    {
        switch (request.Target)
        {
            case "AmazonSSM.PutParameter" when request.AccessKeyId is { } key:
                {
                    using var body = JsonDocument.Parse(request.Body);
                    using var reply = JsonDocument.Parse(answer);
                    if (body.RootElement.TryGetProperty("Name", out var name) && reply.RootElement.TryGetProperty("Version", out var version))
                        WrittenWith[(target.ToString(), name.GetString()!, version.GetInt64())] = key;
                    return answer;
                }
            case "AmazonSSM.GetParameterHistory":
                {
                    var json = JsonNode.Parse(answer)!;
                    var changed = false;
                    foreach (var p in json["Parameters"]?.AsArray() ?? [])
                    {
                        if (p?["LastModifiedUser"]?.GetValue<string>() != "N/A") continue;
                        var name = p["Name"]!.GetValue<string>();
                        var version = p["Version"]!.GetValue<long>();
                        if (!WrittenWith.TryGetValue((target.ToString(), name, version), out var key)) continue;
                        if (await ArnOfKey.GetOrAdd((target.ToString(), key), k => CallerArnAsync(k.Key, token)).ConfigureAwait(false) is not { } arn) continue;
                        p["LastModifiedUser"] = arn;
                        changed = true;
                    }
                    return changed ? Encoding.UTF8.GetBytes(json.ToJsonString()) : answer;
                }
            default:
                return answer;
        }
    }

    private async Task<string?> CallerArnAsync(string accessKey, CancellationToken token)
    {
        using var ask = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new StringContent("Action=GetCallerIdentity&Version=2011-06-15", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        ask.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0");
        using var reply = await upstream.SendAsync(ask, token).ConfigureAwait(false);
        var text = await reply.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        return reply.IsSuccessStatusCode && ArnElement().Match(text) is { Success: true } m ? m.Groups[1].Value : null;
    }

    [GeneratedRegex("<Arn>([^<]+)</Arn>")]
    private static partial Regex ArnElement();
}
