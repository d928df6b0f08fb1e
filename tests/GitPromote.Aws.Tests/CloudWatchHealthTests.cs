using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using GitPromote.Aws.Access;
using GitPromote.Aws.CloudWatch;
using GitPromote.Core.Evidence;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.Aws.Tests;

/// <summary>
/// CloudWatch DescribeAlarms over the Query protocol: against moto, side by side with the AWS CLI (a client nobody here
/// wrote), and against endpoints that answer badly.
/// </summary>
public sealed class CloudWatchHealthTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);
    private readonly string _prefix = AwsTestValues.UniqueName("alarm");
    private readonly EnvironmentPolicy _stg = TestPolicies.Environment("stg", new AwsAccess(AwsTestValues.Region, null, null), new SsmEvidence());

    private IHealthReader Reader(Uri endpoint, TimeSpan? timeout = null) =>
        new AwsEvidenceProvider(TestPolicies.Policy(AwsTestValues.UniqueName(), timeout ?? TimeSpan.FromSeconds(20), _stg),
            AwsTestValues.Variables(("AWS_ENDPOINT_URL_CLOUDWATCH", endpoint.ToString()))).OpenHealthReader(_stg);

    private static Dictionary<string, string?> Cli(Uri endpoint) => AwsSandbox.UseForThisProcess().EnvironmentFor(
        ("AWS_ACCESS_KEY_ID", AwsSandbox.TestKeyId), ("AWS_SECRET_ACCESS_KEY", AwsSandbox.TestSecret),
        ("AWS_DEFAULT_REGION", AwsTestValues.Region), ("AWS_ENDPOINT_URL", endpoint.ToString()));

    private static async Task<AwsCli.Result> CliAsync(Uri endpoint, params string[] args)
    {
        var run = await AwsCli.RunAsync(Cli(endpoint), CliTimeout, args);
        Assert.True(run.ExitCode == 0, $"aws {string.Join(' ', args)}: {run.Stderr}");
        return run;
    }

    private async Task<string> AlarmAsync(string suffix, string state)
    {
        var name = $"{_prefix}-{suffix}";
        var moto = SharedMoto.Server.DirectEndpoint;
        await CliAsync(moto, "cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "AWS/ApplicationELB", "--metric-name",
            "HTTPCode_Target_5XX_Count",
            "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold");
        await CliAsync(moto, "cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value", state, "--state-reason", "test");
        return name;
    }

    private static IReadOnlyList<AlarmPattern> Patterns(params string[] texts) => texts.Select(t => new AlarmPattern(t)).ToList();

    [Fact]
    public async Task Our_client_and_aws_cloudwatch_describe_alarms_read_the_same_alarms_from_moto()
    {
        var ok = await AlarmAsync("5xx", "OK");
        var alarm = await AlarmAsync("latency-p99", "ALARM");
        var insufficient = await AlarmAsync("latency-p50", "INSUFFICIENT_DATA");

        var ours = await Reader(SharedMoto.Server.DirectEndpoint).ReadAsync(Patterns(ok, $"{_prefix}-latency-*"), default);
        var cli = await CliAsync(SharedMoto.Server.DirectEndpoint, "cloudwatch", "describe-alarms", "--alarm-name-prefix", _prefix,
            "--alarm-types", "MetricAlarm", "CompositeAlarm", "--output", "json");

        using var json = JsonDocument.Parse(cli.Stdout);
        var theirs = json.RootElement.GetProperty("MetricAlarms").EnumerateArray().Select(a => (
            Name: a.GetProperty("AlarmName").GetString()!,
            State: a.GetProperty("StateValue").GetString()!,
            Since: DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(a.GetProperty("StateUpdatedTimestamp").GetDouble() * 1000)))).OrderBy(a =>
                a.Name).ToList();
        Assert.Equal([ok, insufficient, alarm], theirs.Select(a => a.Name));
        var mine = ours.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(theirs.Select(a => (a.Name, a.State)), mine.Select(a => (a.Name, State(a.State))));
        // The CLI shows the time to the millisecond; our XML answer carries microseconds.
        Assert.All(theirs.Zip(mine), p => Assert.True((p.First.Since - p.Second.Since!.Value).Duration() < TimeSpan.FromMilliseconds(1),
            $"{p.First.Name}: CLI {p.First.Since:O}, ours {p.Second.Since:O}"));
        Assert.All(ours, a => Assert.Equal("metric", a.Kind));
    }

    private static string State(AlarmState state) => state switch
    {
        AlarmState.Ok => "OK",
        AlarmState.Alarm => "ALARM",
        _ => "INSUFFICIENT_DATA",
    };

    [Fact]
    public async Task A_recorded_request_of_ours_is_the_aws_clis_request_for_the_same_question()
    {
        var a = await AlarmAsync("a b", "OK");
        var b = await AlarmAsync("ü/x", "OK");
        using var proxy = SharedMoto.Server.OpenCountingProxy();

        await Reader(proxy.Endpoint).ReadAsync(Patterns(a, b), default);
        await CliAsync(proxy.Endpoint, "cloudwatch", "describe-alarms", "--alarm-names", a, b, "--alarm-types", "MetricAlarm", "CompositeAlarm", "--page-size",
            "100");

        var (ours, theirs) = (proxy.Recorded[0], proxy.Recorded[1]);
        Assert.Equal(("DescribeAlarms", "DescribeAlarms"), (ours.Operation, theirs.Operation));
        Assert.Equal((theirs.Method, theirs.Path), (ours.Method, ours.Path));
        // Signed for the same service and region: <key>/<date>/eu-west-1/monitoring/aws4_request.
        Assert.Equal(theirs.CredentialScope!.Split('/')[2..], ours.CredentialScope!.Split('/')[2..]);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", ours.ContentType);
        // This CLI asks CloudWatch in JSON (the AWS query-compatible protocol); botocore's own Query serializer turns its
        // parameters into the form our client sends, and that form must be ours byte for byte.
        Assert.Equal(await BotocoreQueryFormAsync(Encoding.UTF8.GetString(theirs.Body)), Encoding.UTF8.GetString(ours.Body));
    }

    /// <summary>The Query protocol form botocore would send for the parameters in <paramref name="jsonParameters"/>.</summary>
    private static async Task<string> BotocoreQueryFormAsync(string jsonParameters)
    {
        const string script = """
            import sys, json, botocore.session
            from botocore.serialize import QuerySerializer
            from botocore.awsrequest import AWSRequest, prepare_request_dict
            op = botocore.session.get_session().get_service_model('cloudwatch').operation_model('DescribeAlarms')
            req = QuerySerializer().serialize_to_request(json.loads(sys.stdin.read()), op)
            prepare_request_dict(req, endpoint_url='http://localhost/')
            sys.stdout.write(AWSRequest(method='POST', url=req['url'], data=req['body'], headers=req['headers']).prepare().body)
            """;
        var info = new ProcessStartInfo("python3", ["-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(jsonParameters);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }

    [Fact]
    public async Task Names_go_in_one_call_and_each_prefix_in_one_call_both_alarm_types_asked()
    {
        var fiveXx = await AlarmAsync("5xx", "OK");
        var p99 = await AlarmAsync("latency-p99", "ALARM");
        var disk = await AlarmAsync("disk-full", "OK");
        using var proxy = SharedMoto.Server.OpenCountingProxy();

        var alarms = await Reader(proxy.Endpoint).ReadAsync(Patterns(fiveXx, $"{_prefix}-latency-*", $"{_prefix}-disk-*", $"{_prefix}-none"), default);

        Assert.Equal([fiveXx, disk, p99], alarms.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, proxy.Requests["DescribeAlarms"]);
        var bodies = proxy.Recorded.Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        Assert.Single(bodies, b => b.Contains("AlarmNames.member.1=") && b.Contains("AlarmNames.member.2=") && !b.Contains("AlarmNamePrefix"));
        Assert.Equal(2, bodies.Count(b => b.Contains("AlarmNamePrefix=")));
        Assert.All(bodies, b => Assert.Contains("AlarmTypes.member.1=MetricAlarm&AlarmTypes.member.2=CompositeAlarm", b));
    }

    [Fact]
    public void Composite_and_metric_alarms_of_a_describe_alarms_answer_are_read_with_their_next_token()
    {
        var page = CloudWatchClient.ParseDescribeAlarms(Encoding.UTF8.GetBytes("""
            <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <DescribeAlarmsResult>
                <CompositeAlarms>
                  <member><AlarmName>orders-stg-health</AlarmName><AlarmRule>ALARM(a) OR ALARM(b)</AlarmRule>
                    <StateValue>ALARM</StateValue><StateUpdatedTimestamp>2024-06-03T13:40:00.123Z</StateUpdatedTimestamp></member>
                </CompositeAlarms>
                <MetricAlarms>
                  <member><AlarmName>orders-stg-5xx</AlarmName><StateValue>OK</StateValue>
                    <StateUpdatedTimestamp>2024-06-03T12:00:00Z</StateUpdatedTimestamp></member>
                  <member><AlarmName>orders-stg-p99</AlarmName><StateValue>INSUFFICIENT_DATA</StateValue></member>
                </MetricAlarms>
                <NextToken>page-2</NextToken>
              </DescribeAlarmsResult>
              <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
            </DescribeAlarmsResponse>
            """));

        Assert.Equal(
        [
            new AlarmReading("orders-stg-5xx", "metric", AlarmState.Ok, new DateTimeOffset(2024, 6, 3, 12, 0, 0, TimeSpan.Zero)),
            new AlarmReading("orders-stg-p99", "metric", AlarmState.InsufficientData, null),
            new AlarmReading("orders-stg-health", "composite", AlarmState.Alarm, new DateTimeOffset(2024, 6, 3, 13, 40, 0, 123, TimeSpan.Zero)),
        ], page.Alarms);
        Assert.Equal("page-2", page.NextToken);
    }

    [Theory]
    [InlineData("<html>gateway</html>", "not a DescribeAlarmsResponse")]
    [InlineData("not xml at all", "not XML")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><DescribeAlarmsResponse><DescribeAlarmsResult/></DescribeAlarmsResponse>", "not XML")]
    [InlineData("<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms>"
        + "<member><AlarmName>a</AlarmName><StateValue>GREEN</StateValue></member>"
        + "</MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>", "alarm state 'GREEN'")]
    [InlineData("<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms>"
        + "<member><StateValue>OK</StateValue></member>"
        + "</MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>", "without a name")]
    [InlineData("<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms>"
        + "<member><AlarmName>a</AlarmName><StateValue>OK</StateValue><StateUpdatedTimestamp>yesterday</StateUpdatedTimestamp></member>"
        + "</MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>", "not a time")]
    public void An_answer_that_is_not_a_describe_alarms_response_is_refused_never_read_as_no_alarms(string body, string why)
    {
        var error = Assert.Throws<AwsCallException>(() => CloudWatchClient.ParseDescribeAlarms(Encoding.UTF8.GetBytes(body)));

        Assert.Equal("InvalidResponse", error.ErrorCode);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void An_error_response_gives_its_code_and_message()
    {
        var error = CloudWatchClient.ErrorOf(HttpStatusCode.BadRequest, Encoding.UTF8.GetBytes(
            "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>InvalidNextToken</Code><Message>bad " +
                "token</Message></Error><RequestId>r</RequestId></ErrorResponse>"));

        Assert.Equal(("InvalidNextToken", "bad token", HttpStatusCode.BadRequest), (error.ErrorCode, error.Message, error.Status));
        Assert.Equal("Throttling", CloudWatchClient.ErrorOf(HttpStatusCode.TooManyRequests, "<html/>"u8.ToArray()).ErrorCode);
    }

    [Theory]
    [InlineData("a b", "a+b")]
    [InlineData("ü/x*", "%C3%BC%2Fx%2A")]
    [InlineData("t+/=~._-", "t%2B%2F%3D~._-")]
    public void Form_values_are_encoded_as_botocore_encodes_them(string value, string encoded)
    {
        Assert.Equal(encoded, CloudWatchClient.FormEncode(value));
    }

    [Fact]
    public async Task An_alarm_one_answer_lists_twice_ok_then_alarm_is_read_as_in_alarm()
    {
        var since = DateTimeOffset.UnixEpoch;
        var client = new ListedClient([
            new AlarmReading("orders-stg-5xx", "metric", AlarmState.Ok, since),
            new AlarmReading("orders-stg-5xx", "metric", AlarmState.Alarm, since),
            new AlarmReading("orders-stg-latency", "metric", AlarmState.Ok, since),
        ]);

        var alarms = await new CloudWatchHealthReader(Access(), _ => client).ReadAsync(Patterns("orders-stg-*"), default);

        Assert.Equal([("orders-stg-5xx", AlarmState.Alarm), ("orders-stg-latency", AlarmState.Ok)],
            alarms.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => (a.Name, a.State)));
    }

    [Fact]
    public async Task Next_token_pages_are_followed_to_the_end()
    {
        var client = new PagedClient(pages: 3, perPage: 100);

        var alarms = await new CloudWatchHealthReader(Access(), _ => client).ReadAsync(Patterns("orders-*"), default);

        Assert.Equal(300, alarms.Count);
        Assert.Equal([null, "page-1", "page-2"], client.Tokens);
    }

    [Fact]
    public async Task More_alarms_than_the_cap_is_an_error_that_says_to_name_fewer()
    {
        var client = new PagedClient(pages: 50, perPage: 100);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            new CloudWatchHealthReader(Access(), _ => client).ReadAsync(Patterns("orders-*"), default));

        Assert.Contains($"more than {CloudWatchHealthReader.MaxAlarms} alarms", error.Failure.Why);
        Assert.Contains("narrower prefixes", error.Failure.Todo);
        Assert.True(client.Tokens.Count <= CloudWatchHealthReader.MaxAlarms / 100 + 1);
    }

    [Fact]
    public async Task A_next_token_that_repeats_is_an_error_not_a_loop()
    {
        var client = new PagedClient(pages: 3, perPage: 1, sameToken: true);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            new CloudWatchHealthReader(Access(), _ => client).ReadAsync(Patterns("orders-*"), default));

        Assert.Contains("same NextToken", error.Failure.Why);
    }

    [Fact]
    public async Task More_than_100_names_are_asked_in_batches_of_100()
    {
        var client = new PagedClient(pages: 1, perPage: 0);

        await new CloudWatchHealthReader(Access(), _ => client).ReadAsync(Patterns(Enumerable.Range(0, 150).Select(i => $"alarm-{i}").ToArray()), default);

        Assert.Equal([50, 100], client.NameCounts.Order());
    }

    [Fact]
    public async Task A_300_MB_answer_is_refused_after_the_bound()
    {
        const long answer = 300L * 1024 * 1024;
        using var server = HostileHttpServer.Huge(answer);

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Reader(server.Endpoint, TimeSpan.FromSeconds(60)).ReadAsync(Patterns("a"), default));

        Assert.Contains("answered more than 8 MB", error.Failure.Why);
        Assert.True(server.BytesSent < answer);
    }

    [Fact]
    public async Task A_hung_endpoint_fails_within_the_deadline_naming_the_call()
    {
        using var server = HostileHttpServer.Hung();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() =>
            Reader(server.Endpoint, TimeSpan.FromSeconds(2)).ReadAsync(Patterns("orders-stg-5xx"), default));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.StartsWith("cloudwatch:DescribeAlarms on alarms orders-stg-5xx for stg", error.Failure.What);
    }

    [Fact]
    public async Task Access_denied_says_which_permission_is_missing()
    {
        using var server = HostileHttpServer.Failing(403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: " +
                "cloudwatch:DescribeAlarms</Message></Error></ErrorResponse>");

        var error = await Assert.ThrowsAsync<EvidenceUnavailableException>(() => Reader(server.Endpoint).ReadAsync(Patterns("orders-stg-5xx"), default));

        Assert.Contains("access denied (AccessDenied): the identity may not call cloudwatch:DescribeAlarms", error.Failure.Why);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Doctor_counts_the_health_alarms_by_state_and_names_a_pattern_that_matches_none()
    {
        var ok = await AlarmAsync("5xx", "OK");
        await AlarmAsync("latency-p99", "ALARM");
        var health = new HealthPolicy(Patterns(ok, $"{_prefix}-latency-*"), TimeSpan.FromMinutes(30), InsufficientDataMode.Block);
        var typo = health with { Alarms = Patterns(ok, $"{_prefix}-latncy-*") };
        var variables = AwsTestValues.Variables(("AWS_ENDPOINT_URL_CLOUDWATCH", SharedMoto.Server.DirectEndpoint.ToString()),
            ("AWS_ENDPOINT_URL_SSM", SharedMoto.Server.DirectEndpoint.ToString()), ("AWS_ENDPOINT_URL_STS", SharedMoto.Server.DirectEndpoint.ToString()));

        async Task<Doctor.AwsCheck> CheckAsync(HealthPolicy h)
        {
            var stg = _stg with { Health = h };
            var policy = TestPolicies.Policy(AwsTestValues.UniqueName(), null, stg);
            return (await new Doctor.AwsDoctor(policy, new AwsEvidenceProvider(policy, variables)).CheckAsync(stg, default)).Single(c =>
                c.Name == "health alarms");
        }

        var good = await CheckAsync(health);
        var bad = await CheckAsync(typo);

        Assert.Equal((true, "2 alarms match: 1 OK, 1 ALARM"), (good.Ok, good.Detail));
        Assert.False(bad.Ok);
        Assert.Equal($"no alarm in this account and region matches '{_prefix}-latncy-*'", bad.Detail);
        Assert.Contains("'health: alarms' of stg", bad.Todo);
    }

    private AwsEnvironmentAccess Access() =>
        new("stg", new AwsAccess(AwsTestValues.Region, null, null), AwsTestValues.Variables(), TimeSpan.FromSeconds(10));

    /// <summary><paramref name="pages"/> pages of <paramref name="perPage"/> alarms each, linked by NextToken.</summary>
    private sealed class PagedClient(int pages, int perPage, bool sameToken = false) : ICloudWatchClient
    {
        public List<string?> Tokens { get; } = [];
        public List<int> NameCounts { get; } = [];

        public Task<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken)
        {
            lock (Tokens)
            {
                Tokens.Add(request.NextToken);
                NameCounts.Add(request.AlarmNames.Count);
                var page = request.NextToken is null ? 0 : int.Parse(request.NextToken["page-".Length..]);
                var alarms = Enumerable.Range(0, perPage).Select(i =>
                    new AlarmReading($"orders-{page}-{i}", "metric", AlarmState.Ok, DateTimeOffset.UnixEpoch)).ToList();
                var next = page + 1 < pages ? $"page-{(sameToken ? page : page + 1)}" : null;
                if (sameToken && request.NextToken is null) next = "page-0";
                return Task.FromResult(new DescribeAlarmsPage(alarms, next));
            }
        }

        public void Dispose() { }
    }

    /// <summary>One page holding <paramref name="alarms"/> as given, duplicates and all.</summary>
    private sealed class ListedClient(IReadOnlyList<AlarmReading> alarms) : ICloudWatchClient
    {
        public Task<DescribeAlarmsPage> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new DescribeAlarmsPage(alarms, null));

        public void Dispose() { }
    }
}
