using System.Diagnostics;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>One moto server for the whole test run (every test uses its own service name, so its own SSM paths).</summary>
internal static class SharedMoto
{
    private static readonly Lazy<MotoServer> Lazy = new(() =>
    {
        var server = MotoServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    public static MotoServer Server => Lazy.Value;
}

/// <summary>
/// A test's AWS around its <see cref="Sandbox"/>: a unique service name, the sandbox's own <c>~/.aws</c>, moto (SSM, STS)
/// behind a counting proxy of this test's own, and a CodePipeline fake. The installed binary reaches them only through
/// the standard endpoint variables, as a user pointing at an emulator would.
/// </summary>
public sealed class AwsWorld : IDisposable
{
    public const string Region = "eu-west-1";
    public const string Account = "123456789012";

    private readonly Sandbox _s;
    private readonly CountingProxy _ssm;

    public AwsWorld(Sandbox sandbox)
    {
        _s = sandbox;
        Service = "svc-" + Guid.NewGuid().ToString("N")[..12];
        _ssm = SharedMoto.Server.OpenCountingProxy();
        Pipelines = new FakeCodePipeline(Region);
        Directory.CreateDirectory(AwsDir);
        File.WriteAllText(ConfigFile, "");
        File.WriteAllText(CredentialsFile, "");

        var env = sandbox.Environment;
        env["AWS_ENDPOINT_URL_SSM"] = _ssm.Endpoint.ToString();
        env["AWS_ENDPOINT_URL_STS"] = _ssm.Endpoint.ToString();
        env["AWS_ENDPOINT_URL_CODEPIPELINE"] = Pipelines.Endpoint.ToString();
        env["AWS_ENDPOINT_URL_CLOUDWATCH"] = _ssm.Endpoint.ToString();
        env["AWS_EC2_METADATA_DISABLED"] = "true";
        // The fake checks signatures against its one key; moto accepts any key. So one pair serves both.
        env["AWS_ACCESS_KEY_ID"] = FakeCodePipeline.AccessKeyId;
        env["AWS_SECRET_ACCESS_KEY"] = FakeCodePipeline.SecretAccessKey;
    }

    /// <summary>The policy's <c>name:</c>, unique per test, so SSM paths never collide on the shared server.</summary>
    public string Service { get; }

    public FakeCodePipeline Pipelines { get; }

    /// <summary>Requests that reached moto from the installed binary (SSM, STS and CloudWatch), by operation.</summary>
    public RequestCounter Requests => _ssm.Requests;

    /// <summary>See <see cref="CountingProxy.Observer"/>: runs between the emulator's answer and the client's reading it.</summary>
    public Action<ProxyExchange>? Observer { set => _ssm.Observer = value; }

    /// <summary>Those requests themselves, newest last.</summary>
    public IReadOnlyList<RecordedRequest> Recorded => _ssm.Recorded;

    /// <summary>
    /// A metric alarm in moto named <c>&lt;service&gt;-&lt;suffix&gt;</c> (unique to the test), put in <paramref name="state"/>
    /// now with the AWS CLI (put-metric-alarm, then set-alarm-state). Returns its name.
    /// </summary>
    public string Alarm(string suffix, string state = "OK")
    {
        var name = $"{Service}-{suffix}";
        AwsCli("cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "AWS/ApplicationELB", "--metric-name", "HTTPCode_Target_5XX_Count",
            "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator",
                "GreaterThanThreshold").EnsureOk();
        SetAlarm(name, state);
        return name;
    }

    public void SetAlarm(string name, string state) =>
        AwsCli("cloudwatch", "set-alarm-state", "--alarm-name", name, "--state-value", state, "--state-reason", "set by a test").EnsureOk();

    /// <summary>Since when moto says the alarm is in its state (StateUpdatedTimestamp), read with the AWS CLI.</summary>
    public DateTimeOffset AlarmSince(string name)
    {
        var run = AwsCli("cloudwatch", "describe-alarms", "--alarm-names", name, "--output", "json").EnsureOk();
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var stamp = json.RootElement.GetProperty("MetricAlarms")[0].GetProperty("StateUpdatedTimestamp");
        return stamp.ValueKind == System.Text.Json.JsonValueKind.String
            ? DateTimeOffset.Parse(stamp.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(stamp.GetDouble() * 1000));
    }

    public string AwsDir => Path.Combine(_s.Home, ".aws");
    public string ConfigFile => Path.Combine(AwsDir, "config");
    public string CredentialsFile => Path.Combine(AwsDir, "credentials");

    public string Green(string env, string commit) => $"/promote/{Service}/{env}/green/{commit}";

    /// <summary>Takes the keys out of the environment: only profiles (or nothing) are left.</summary>
    public void WithoutEnvironmentKeys()
    {
        _s.Environment["AWS_ACCESS_KEY_ID"] = null;
        _s.Environment["AWS_SECRET_ACCESS_KEY"] = null;
    }

    public void AddStaticProfile(string name, string keyId = FakeCodePipeline.AccessKeyId, string secret = FakeCodePipeline.SecretAccessKey)
    {
        File.AppendAllText(CredentialsFile, $"[{name}]\naws_access_key_id = {keyId}\naws_secret_access_key = {secret}\n");
        File.AppendAllText(ConfigFile, $"[profile {name}]\nregion = {Region}\n");
    }

    public void AddAssumeRoleProfile(string name, string roleArn, string sourceProfile) =>
        File.AppendAllText(ConfigFile, $"[profile {name}]\nrole_arn = {roleArn}\nsource_profile = {sourceProfile}\nregion = {Region}\n");

    /// <summary>An SSO profile; with no cached token in ~/.aws/sso/cache, the session counts as expired.</summary>
    public void AddSsoProfile(string name) =>
        File.AppendAllText(ConfigFile,
            $"[profile {name}]\nsso_start_url = https://{name}.awsapps.com/start\nsso_region = {Region}\nsso_account_id = {Account}\nsso_role_name = " +
                $"ReadOnly\nregion = {Region}\n");

    /// <summary>
    /// A policy with AWS-backed stg and prd. <paramref name="stgEvidence"/> and <paramref name="prdEvidence"/> are the
    /// YAML list items of each environment's evidence (one per line); the <c>aws:</c> values are flow mappings (null: none).
    /// </summary>
    public string Policy(
        string stgEvidence = "- ssm: {}",
        string stgAws = "{ region: eu-west-1 }",
        string prdEvidence = "- ssm: {}",
        string? prdAws = "{ region: eu-west-1 }",
        string? stgRequire = null,
        string onError = "block",
        string timeout = "10s",
        string branches = "[main]",
        string rollback = "previously-green",
        string? stgHealth = null)
    {
        static string Items(string lines) => string.Join("\n", lines.Split('\n').Select(l => "      " + l.Trim()));
        return $"""
            version: 1
            name: {Service}
            branches: {branches}
            environments:
              - name: dev
                remotes: [dev]
                evidence:
                  - git: {"{}"}
              - name: stg
                remotes: [stg]
                aws: {stgAws}
                evidence:
            {Items(stgEvidence)}
            {(stgRequire is null ? "" : $"    require: {stgRequire}")}
            {(stgHealth is null ? "" : $"    health: {stgHealth}")}
              - name: prd
                remotes: [prd]
            {(prdAws is null ? "" : $"    aws: {prdAws}")}
                evidence:
            {Items(prdEvidence)}
            rollback: {rollback}
            bypass:
              justification: '^[A-Z]+-[0-9]+: .{"{10,}"}'
            on_error: {onError}
            timeout: {timeout}

            """;
    }

    /// <summary>The real AWS CLI against moto itself (not through this test's counter), with the test keys.</summary>
    public Run AwsCli(params string[] args) => _s.Exec(_s.Root, "aws", args, env: new Dictionary<string, string?>
    {
        ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
        ["AWS_ENDPOINT_URL_SSM"] = null,
        ["AWS_ENDPOINT_URL_STS"] = null,
        ["AWS_ENDPOINT_URL_CLOUDWATCH"] = null,
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_DEFAULT_REGION"] = Region,
        ["AWS_PAGER"] = "",
    });

    /// <summary>A push, timed: the wall clock of the whole <c>git push</c>, hook included.</summary>
    public (Run Run, TimeSpan Elapsed) TimedPush(string app, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var run = _s.Git(app, ["push", .. args]);
        return (run, clock.Elapsed);
    }

    public void Dispose()
    {
        _ssm.Dispose();
        Pipelines.Dispose();
    }
}
