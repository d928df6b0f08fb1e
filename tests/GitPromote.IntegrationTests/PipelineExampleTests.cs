using System.Text.Json;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The pipeline steps under examples/, run as their CI would run them: the YAML read by an independent parser (PyYAML),
/// each command run with bash in an unpacked `git archive` of the commit, with the CI's own variables set, against SSM
/// in moto. The only edit is the service name the examples use, replaced by this test's unique one.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PipelineExampleTests : IDisposable
{
    private const string ExampleService = "orders-service";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;
    private int _sources;

    public PipelineExampleTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private static string Example(string path) => Path.Combine(InstalledGitPromote.RepositoryRoot, "examples", path);

    private JsonElement Yaml(string path)
    {
        var json = _s.Exec(_s.Root, "python3", ["-c", "import sys,yaml,json; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path]).EnsureOk();
        return JsonDocument.Parse(json.Stdout).RootElement.Clone();
    }

    private string Source(string app, string commit) => PipelineSource.Unpack(_s, app, commit, $"src-{++_sources}");

    /// <summary>Runs the commands of a buildspec's phases in order, as CodeBuild does; stops at the first that fails.</summary>
    private Run RunBuildspec(string buildspec, string source, Dictionary<string, string?> env)
    {
        var spec = Yaml(Example(buildspec));
        Assert.Equal("0.2", spec.GetProperty("version").ToString());
        var output = "";
        foreach (var phase in new[] { "install", "pre_build", "build", "post_build" })
        {
            if (!spec.GetProperty("phases").TryGetProperty(phase, out var p)) continue;
            foreach (var command in p.GetProperty("commands").EnumerateArray())
            {
                var run = _s.Exec(source, "bash", ["-c", command.GetString()!], env: env);
                output += run.Output;
                if (run.ExitCode != 0) return run with { Stdout = output };
            }
        }
        return new Run(0, output, "");
    }

    private Dictionary<string, string?> CodeBuild(string env, string commit) => new()
    {
        ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = commit,
        ["AWS_REGION"] = AwsWorld.Region,
        ["PROMOTE_ENV"] = env,
        ["PROMOTE_SERVICE"] = _aws.Service,
        ["PROMOTE_REMOTE_DEV"] = Path.Combine(_s.Root, "dev.git"),
    };

    [Fact]
    public void The_CodeBuild_gate_and_record_buildspecs_carry_a_commit_from_dev_to_prd_and_stop_an_untested_one()
    {
        var app = _s.Project(_aws.Policy());
        var head = Head(app);
        _s.Promote(app, "policy", "publish", "stg").EnsureOk();
        _s.Promote(app, "record", "dev", head).EnsureOk();
        var source = Source(app, head);

        var gateStg = RunBuildspec("codebuild/buildspec-gate.yml", source, CodeBuild("stg", head));
        var recordStg = RunBuildspec("codebuild/buildspec-record.yml", source, CodeBuild("stg", head));
        var gatePrd = RunBuildspec("codebuild/buildspec-gate.yml", source, CodeBuild("prd", head));
        var untested = _s.Commit(app, "untested");
        var gateUntested = RunBuildspec("codebuild/buildspec-gate.yml", Source(app, untested), CodeBuild("stg", untested));

        Assert.Equal(0, gateStg.ExitCode);
        Assert.Contains("ADMITTED: green in dev", gateStg.Output);
        Assert.Equal(0, recordStg.ExitCode);
        _aws.AwsCli("ssm", "get-parameter", "--name", _aws.Green("stg", head)).EnsureOk();
        Assert.Equal(0, gatePrd.ExitCode);
        Assert.Contains("ADMITTED: green in stg", gatePrd.Output);
        Assert.Equal(1, gateUntested.ExitCode);
        Assert.Contains($"{untested[..12]} is not green in dev", gateUntested.Output);
    }

    [Fact]
    public void The_GitHub_Actions_gate_steps_run_before_deploy_in_each_GitHub_Environment_and_refuse_an_untested_commit()
    {
        var app = _s.Project(_aws.Policy());
        _s.Promote(app, "policy", "publish", "stg").EnsureOk();
        var head = Head(app);
        var workflow = Yaml(Example("github/deploy.yml"));

        foreach (var (job, env) in new[] { ("stg", "stg"), ("prd", "prd") })
        {
            var j = workflow.GetProperty("jobs").GetProperty(job);
            Assert.Equal(env, j.GetProperty("environment").GetString());
            var steps = j.GetProperty("steps").EnumerateArray().Select(s => s.TryGetProperty("name", out var n) ? n.GetString() : null).ToList();
            Assert.True(steps.IndexOf("gate") >= 0 && steps.IndexOf("gate") < steps.IndexOf("deploy"), $"{job}: the gate must run before deploy");
        }
        var gate = workflow.GetProperty("jobs").GetProperty("stg").GetProperty("steps").EnumerateArray().First(s => s.TryGetProperty("name", out var n) && n.GetString() == "gate");
        var command = gate.GetProperty("run").GetString()!.Replace(ExampleService, _aws.Service);

        var actions = new Dictionary<string, string?> { ["GITHUB_SHA"] = head, ["AWS_REGION"] = AwsWorld.Region, ["PROMOTE_REMOTE_DEV"] = Path.Combine(_s.Root, "dev.git") };
        var refused = _s.Exec(Source(app, head), "bash", ["-c", command], env: actions);
        _s.Promote(app, "record", "dev", head).EnsureOk();
        var admitted = _s.Exec(Source(app, head), "bash", ["-c", command], env: actions);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("(GITHUB_SHA;", refused.Stdout);
        Assert.Equal(0, admitted.ExitCode);
    }

    [Fact]
    public void The_GitLab_gate_job_runs_with_its_pinned_policy_variable_and_CI_COMMIT_SHA()
    {
        var app = _s.Project(_aws.Policy());
        _s.Promote(app, "policy", "publish", "stg").EnsureOk();
        var head = Head(app);
        _s.Promote(app, "record", "dev", head).EnsureOk();
        var ci = Yaml(Example("gitlab/.gitlab-ci.yml"));
        var policy = ci.GetProperty("variables").GetProperty("PROMOTE_POLICY").GetString()!.Replace(ExampleService, _aws.Service);
        Assert.Equal("gate", ci.GetProperty("gate-stg").GetProperty("stage").GetString());
        Assert.Equal("gate-stg", ci.GetProperty("deploy-stg").GetProperty("needs")[0].GetString());

        var source = Source(app, head);
        var env = new Dictionary<string, string?> { ["CI_COMMIT_SHA"] = head, ["PROMOTE_POLICY"] = policy, ["AWS_REGION"] = AwsWorld.Region, ["PROMOTE_REMOTE_DEV"] = Path.Combine(_s.Root, "dev.git") };
        foreach (var line in ci.GetProperty("gate-stg").GetProperty("script").EnumerateArray())
        {
            var run = _s.Exec(source, "bash", ["-c", line.GetString()!], env: env);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("(CI_COMMIT_SHA; policy ssm:", run.Stdout);
        }
    }

    private string Head(string app) => _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
}
