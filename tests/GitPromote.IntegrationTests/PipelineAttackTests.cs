using System.Globalization;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// A pusher with a pipeline's variables, or with the permissions developers usually have in an account, against what the
/// pipeline trusts: the commit the gate judges, the parameter <c>policy publish</c> writes, and the audit of SSM records.
/// SSM is moto; junk records are written with boto3, an independent client.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PipelineAttackTests : IDisposable
{
    private const string Justification = "INC-7: payment outage, approved by on-call lead";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public PipelineAttackTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private string Pin(string policy) => _s.PipelinePolicy(policy);

    private Run Gate(string dir, IDictionary<string, string?> env, params string[] args) =>
        _s.Exec(dir, _s.Installed.BinaryPath, ["gate", .. args], env: env);

    [Fact]
    public void The_gate_in_a_checkout_refuses_a_ci_commit_other_than_the_one_checked_out()
    {
        var app = _s.Project();
        var green = _s.GreenInDev(app, "green");
        var untested = _s.Commit(app, "untested");
        var pin = Pin(TestPolicies.StandardYaml);

        var gate = Gate(app, new Dictionary<string, string?> { ["GITHUB_SHA"] = green }, "stg", "--policy", pin);

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains($"GITHUB_SHA names {green[..12]}, but the checkout here is {untested[..12]}: the tree that gets deployed is HEAD's", gate.Output);
        Assert.DoesNotContain("ADMITTED", gate.Output);
        _s.Git(app, "checkout", "--quiet", green).EnsureOk();
        var checkedOut = Gate(app, new Dictionary<string, string?> { ["GITHUB_SHA"] = green }, "stg", "--policy", pin);
        Assert.Equal(0, checkedOut.ExitCode);
        Assert.Contains("ADMITTED", checkedOut.Stdout);
    }

    [Fact]
    public void With_on_error_allow_the_gate_still_refuses_a_commit_whose_revocations_cannot_be_read()
    {
        var policy = TestPolicies.StandardYaml.Replace("on_error: block", "on_error: allow");
        var app = _s.Project(policy);
        var green = _s.GreenInDev(app, "green in dev");
        // stg's own store (where a revocation of it would be) does not answer.
        _s.Git(app, "remote", "set-url", "stg", Path.Combine(_s.Root, "gone.git")).EnsureOk();

        var gate = Gate(app, new Dictionary<string, string?>(), "stg", "--policy", Pin(policy));

        Assert.Equal(1, gate.ExitCode);
        Assert.DoesNotContain("ADMITTED", gate.Stdout);
        Assert.Contains("could not read the revocations of stg", gate.Output);
        Assert.Equal(green, _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim());
    }

    [Theory]
    [InlineData("/promote/{0}/stg/green/{1}")]
    [InlineData("/promote/{0}/prd/bypass/20260101T000000Z-{1}-abcd")]
    [InlineData("/promote/other-service/stg/green/{1}")]
    [InlineData("/promote/{0}/stg/anything")]
    public void Policy_publish_refuses_a_parameter_where_an_environment_keeps_records(string template)
    {
        var app = _s.Project(_aws.Policy());
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var parameter = string.Format(CultureInfo.InvariantCulture, template, _aws.Service, head);

        var publish = _s.Promote(app, "policy", "publish", "stg", "--file", Pin(_aws.Policy()), "--parameter", parameter);

        Assert.Equal(2, publish.ExitCode);
        Assert.Contains($"'{parameter}' is where an environment keeps its records", publish.Stderr);
        Assert.NotEqual(0, _aws.AwsCli("ssm", "get-parameter", "--name", parameter).ExitCode);
        Assert.Equal(1, Gate(app, new Dictionary<string, string?>(), "prd", "--commit", head, "--policy", Pin(_aws.Policy())).ExitCode);
    }

    [Theory]
    [InlineData("symlink")]
    [InlineData("fifo")]
    public void Policy_publish_reads_only_a_regular_file_never_a_link_or_a_fifo(string kind)
    {
        var app = _s.Project(_aws.Policy());
        var real = Pin(_aws.Policy());
        var path = Path.Combine(_s.Root, "policy-" + kind);
        if (kind == "symlink") File.CreateSymbolicLink(path, real);
        else _s.Exec(_s.Root, "mkfifo", [path]).EnsureOk();

        var publish = _s.Exec(app, _s.Installed.BinaryPath, ["policy", "publish", "stg", "--file", path], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, publish.ExitCode);
        Assert.Contains(kind == "symlink" ? "is a symbolic link, not a regular file: nothing was published"
            : "is a FIFO, not a regular file: nothing was published", publish.Stderr);
        Assert.NotEqual(0, _aws.AwsCli("ssm", "get-parameter", "--name", $"/promote/{_aws.Service}/policy").ExitCode);
    }

    [Fact]
    public void A_flood_of_junk_bypass_records_hides_no_real_one_from_the_audit_and_each_is_named()
    {
        var app = _s.Project(_aws.Policy(timeout: "60s"));
        var junk = 1005;
        // Anyone allowed to bypass may write under .../bypass/: junk values, sorted before the real record.
        var script = $$"""
            import boto3
            ssm = boto3.client('ssm', endpoint_url='{{SharedMoto.Server.DirectEndpoint}}', region_name='{{AwsWorld.Region}}',
                               aws_access_key_id='testing', aws_secret_access_key='testing')
            for i in range({{junk}}):
                ssm.put_parameter(Name='/promote/{{_aws.Service}}/stg/bypass/0000-junk-%04d' % i, Value='x', Type='String')
            """;
        _s.Exec(_s.Root, "python3", ["-c", script], timeout: TimeSpan.FromSeconds(600)).EnsureOk();
        var head = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        _s.Exec(app, "git", ["push", "stg", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = Justification }).EnsureOk();

        var audit = _s.Exec(app, _s.Installed.BinaryPath, ["audit", "stg"], timeout: TimeSpan.FromSeconds(300));

        Assert.Contains($"{head[..12]}  Dana Developer <dana@example.com>  \"{Justification}\"", audit.Stdout);
        Assert.DoesNotContain("no bypasses recorded", audit.Stdout);
        Assert.Contains($"skipped a record of stg that cannot be read: /promote/{_aws.Service}/stg/bypass/0000-junk-0000", audit.Stderr);
        Assert.Contains($"skipped a record of stg that cannot be read: /promote/{_aws.Service}/stg/bypass/0000-junk-{junk - 1:D4}", audit.Stderr);
        Assert.Equal(0, audit.ExitCode);
        var doctor = _s.Exec(app, _s.Installed.BinaryPath, ["doctor"], timeout: TimeSpan.FromSeconds(300));
        Assert.Contains($"{junk} parameters are not a record there (first: /promote/{_aws.Service}/stg/bypass/0000-junk-0000)", doctor.Stdout);
    }
}
