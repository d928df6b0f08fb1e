using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using GitPromote.Aws.Access;
using GitPromote.Core.Evidence;

namespace GitPromote.Aws.CloudWatch;

/// <summary>One DescribeAlarms call: names (at most 100) or one name prefix, both alarm types, one page.</summary>
public sealed record DescribeAlarmsRequest(IReadOnlyList<string> AlarmNames, string? AlarmNamePrefix, int MaxRecords, string? NextToken);

/// <summary>The alarms of one page, metric and composite together, and the token of the next page.</summary>
public sealed record DescribeAlarmsPage(IReadOnlyList<AlarmReading> Alarms, string? NextToken);

/// <summary>The calls of CloudWatch we make; a seam for tests.</summary>
public interface ICloudWatchClient : IDisposable
{
    Task<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A small CloudWatch client over the Query protocol (AWSSDK.CloudWatch is not available to us): a form POST of
/// <c>Action=DescribeAlarms&amp;Version=2010-08-01</c>, an XML answer, over <see cref="SignedAwsClient"/> (SigV4 from
/// AWSSDK.Core, bounded answers, retries until the deadline). Errors come out as <see cref="AwsCallException"/>.
/// </summary>
public sealed class CloudWatchClient : SignedAwsClient, ICloudWatchClient
{
    public const string SigningService = "monitoring";
    public const string ApiVersion = "2010-08-01";
    public const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";
    /// <summary>DescribeAlarms takes at most 100 names a call, and answers at most 100 alarms a page.</summary>
    public const int MaxPerCall = 100;

    /// <param name="transport">The handler below signing (tests, proxies); a non-redirecting socket handler when null.</param>
    public CloudWatchClient(AWSCredentials credentials, string region, Uri endpoint, TimeSpan attemptTimeout, HttpMessageHandler? transport = null)
        : base(SigningService, ContentType, ErrorOf, credentials, region, endpoint, attemptTimeout, transport)
    {
    }

    public async Task<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(request));
        // The Query protocol names the operation in the form (Action=...), not in X-Amz-Target.
        return ParseDescribeAlarms(await PostAsync("DescribeAlarms", body, target: null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The form, in the order botocore's Query serializer writes it (Action, Version, then the input's members in model
    /// order), encoded as Python's <c>urlencode</c> does, so a request of ours reads byte for byte as the AWS CLI's would.
    /// </summary>
    internal static string FormBody(DescribeAlarmsRequest request)
    {
        var fields = new List<(string, string)> { ("Action", "DescribeAlarms"), ("Version", ApiVersion) };
        for (var i = 0; i < request.AlarmNames.Count; i++) fields.Add(($"AlarmNames.member.{i + 1}", request.AlarmNames[i]));
        if (request.AlarmNamePrefix is { } prefix) fields.Add(("AlarmNamePrefix", prefix));
        fields.Add(("AlarmTypes.member.1", "MetricAlarm"));
        fields.Add(("AlarmTypes.member.2", "CompositeAlarm"));
        fields.Add(("MaxRecords", request.MaxRecords.ToString(CultureInfo.InvariantCulture)));
        if (request.NextToken is { } token) fields.Add(("NextToken", token));
        return string.Join("&", fields.Select(f => $"{FormEncode(f.Item1)}={FormEncode(f.Item2)}"));
    }

    /// <summary>application/x-www-form-urlencoded as Python's <c>quote_plus</c>: unreserved characters kept, space as '+', the rest %XX of UTF-8.</summary>
    internal static string FormEncode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') sb.Append(c);
            else if (c == ' ') sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = SignedAwsCaller.MaxResponseBytes,
    };

    private static XDocument Load(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        using var reader = XmlReader.Create(stream, Settings);
        return XDocument.Load(reader);
    }

    /// <summary>The alarms of a DescribeAlarmsResponse; an answer that is not one is <c>InvalidResponse</c>, never an empty list.</summary>
    internal static DescribeAlarmsPage ParseDescribeAlarms(byte[] content)
    {
        XDocument document;
        try { document = Load(content); }
        catch (XmlException e)
        {
            throw new AwsCallException("InvalidResponse", $"DescribeAlarms answered a body that is not XML: {e.Message}", HttpStatusCode.OK, e);
        }
        var result = document.Root is { Name.LocalName: "DescribeAlarmsResponse" } root ? Child(root, "DescribeAlarmsResult") : null;
        if (result is null)
            throw new AwsCallException("InvalidResponse", "DescribeAlarms answered a body that is not a DescribeAlarmsResponse", HttpStatusCode.OK);
        var alarms = new List<AlarmReading>();
        foreach (var (list, kind) in new[] { ("MetricAlarms", "metric"), ("CompositeAlarms", "composite") })
            foreach (var member in Child(result, list)?.Elements().Where(e => e.Name.LocalName == "member") ?? [])
                alarms.Add(ReadAlarm(member, kind));
        var next = Child(result, "NextToken")?.Value;
        return new DescribeAlarmsPage(alarms, string.IsNullOrEmpty(next) ? null : next);
    }

    private static AlarmReading ReadAlarm(XElement member, string kind)
    {
        var name = Child(member, "AlarmName")?.Value;
        if (string.IsNullOrEmpty(name))
            throw new AwsCallException("InvalidResponse", $"DescribeAlarms answered a {kind} alarm without a name", HttpStatusCode.OK);
        var state = Child(member, "StateValue")?.Value switch
        {
            "OK" => AlarmState.Ok,
            "ALARM" => AlarmState.Alarm,
            "INSUFFICIENT_DATA" => AlarmState.InsufficientData,
            var other => throw new AwsCallException("InvalidResponse",
                $"DescribeAlarms answered alarm state '{Bounded(other)}', which is none of OK, ALARM, INSUFFICIENT_DATA", HttpStatusCode.OK),
        };
        DateTimeOffset? since = null;
        if (Child(member, "StateUpdatedTimestamp")?.Value is { Length: > 0 } stamp)
        {
            if (!DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                throw new AwsCallException("InvalidResponse", $"DescribeAlarms answered a StateUpdatedTimestamp that is not a time: '{Bounded(stamp)}'",
                    HttpStatusCode.OK);
            since = at;
        }
        return new AlarmReading(name, kind, state, since);
    }

    /// <summary>An ErrorResponse (<c>&lt;Error&gt;&lt;Code&gt;…&lt;Message&gt;…</c>) as an <see cref="AwsCallException"/>; any other body by its
    /// status.</summary>
    internal static AwsCallException ErrorOf(HttpStatusCode status, byte[] content)
    {
        string? code = null, message = null;
        try
        {
            var error = Load(content).Root is { } root ? root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") : null;
            code = error is null ? null : Child(error, "Code")?.Value.Trim();
            message = error is null ? null : Child(error, "Message")?.Value.Trim();
        }
        catch (XmlException) { }
        return ErrorFrom(status, string.IsNullOrEmpty(code) ? null : code, string.IsNullOrEmpty(message) ? null : message, throttlingCode: "Throttling");
    }

    private static XElement? Child(XElement parent, string localName) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static string Bounded(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..60] + "...";
}
