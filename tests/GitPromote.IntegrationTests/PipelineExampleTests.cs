using System.Text.Json;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The pipeline steps under examples/, run as their CI would run them: the YAML read by an independent parser (PyYAML),
/// each command run with bash in an unpacked `git archive` of the commit, with the CI's own variables set, against SSM
/// in moto. The only edit is the service name the examples use, replaced by this test's unique one.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class PipelineExampleTests : IClassFixture<ReleasePackages>, IDisposable
{
    private const string ExampleService = "orders-service";
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;
    private int _sources;

    private readonly ReleasePackages _release;

    public PipelineExampleTests(InstalledGitPromote installed, ReleasePackages release)
    {
        _release = release;
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private static string Example(string path) => Path.Combine(TestSupport.RepositoryRoot.Path, "examples", path);

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
        _s.Record(app, "dev", head).EnsureOk();
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

    /// <summary>
    /// examples/github: the service's workflow only calls the gated workflow; there, gate and record run in the GitHub
    /// Environment promote-ENV (the one the construct's roles trust) and deploy in ENV, each job asks for an OIDC token
    /// itself (the workflow grants none), an environment name the workflow does not know runs nothing, and git-promote
    /// comes from a URL and SHA-256 written in the workflow, checked before anything is unpacked. The install and gate
    /// steps run here with bash as the runner would (a file:// URL for the release tarball test.sh built).
    /// </summary>
    [Fact]
    public void The_GitHub_gated_workflow_keeps_gate_and_record_in_their_own_environment_and_pins_git_promote()
    {
        var app = _s.Project(_aws.Policy());
        _s.Promote(app, "policy", "publish", "stg").EnsureOk();
        var head = Head(app);
        var caller = Yaml(Example("github/deploy.yml"));
        var gated = Yaml(Example("github/gated-deploy.yml"));

        // The service's own file defines no step: every job is the other repository's workflow, pinned to its main, given
        // only the environment.
        Assert.False(caller.GetProperty("permissions").TryGetProperty("id-token", out _));
        foreach (var env in new[] { "stg", "prd" })
        {
            var j = caller.GetProperty("jobs").GetProperty(env);
            Assert.Equal("orders-org/deploy-gates/.github/workflows/gated-deploy.yml@main", j.GetProperty("uses").GetString());
            Assert.Equal(["environment"], j.GetProperty("with").EnumerateObject().Select(p => p.Name));
            Assert.Equal(env, j.GetProperty("with").GetProperty("environment").GetString());
            Assert.False(j.TryGetProperty("steps", out _));
        }

        Assert.False(gated.GetProperty("permissions").TryGetProperty("id-token", out _));
        var jobs = gated.GetProperty("jobs");
        string Environment(string job) => jobs.GetProperty(job).GetProperty("environment").GetString()!;
        Assert.Equal("promote-${{ inputs.environment }}", Environment("gate"));
        Assert.Equal("promote-${{ inputs.environment }}", Environment("record"));
        Assert.Equal("${{ inputs.environment }}", Environment("deploy"));
        foreach (var job in new[] { "gate", "deploy", "record" })
        {
            Assert.Equal("write", jobs.GetProperty(job).GetProperty("permissions").GetProperty("id-token").GetString());
            Assert.Equal("contains(fromJSON('[\"stg\", \"prd\"]'), inputs.environment)", jobs.GetProperty(job).GetProperty("if").GetString());
        }
        Assert.Equal("gate", jobs.GetProperty("deploy").GetProperty("needs").GetString());
        Assert.Equal("deploy", jobs.GetProperty("record").GetProperty("needs").GetString());
        string[] Uses(string job) => jobs.GetProperty(job).GetProperty("steps").EnumerateArray()
            .Select(s => s.TryGetProperty("uses", out var u) ? u.GetString()! : "").ToArray();
        Assert.DoesNotContain("actions/checkout@v4", Uses("gate"));
        Assert.DoesNotContain("actions/checkout@v4", Uses("record"));
        Assert.DoesNotContain(jobs.GetProperty("deploy").GetProperty("steps").EnumerateArray(),
            s => s.TryGetProperty("run", out var r) && r.GetString()!.Contains("git promote", StringComparison.Ordinal));
        // Nothing of the gate and record jobs comes from the service's repository's variables.
        Assert.DoesNotContain("vars.", jobs.GetProperty("gate").GetRawText());
        Assert.DoesNotContain("vars.", jobs.GetProperty("record").GetRawText());
        Assert.Contains(":role/git-promote/promote-${{ env.SERVICE }}-${{ inputs.environment }}-record-build", jobs.GetProperty("record").GetRawText());

        // The install step, as the runner runs it: the pinned URL and digest, checked before anything is unpacked.
        string Step(string job, string name) => jobs.GetProperty(job).GetProperty("steps").EnumerateArray()
            .First(s => s.TryGetProperty("name", out var n) && n.GetString() == name).GetProperty("run").GetString()!;
        var install = Step("gate", "install git-promote");
        Assert.Equal(install, Step("record", "install git-promote"));
        Assert.True(install.IndexOf("sha256sum --check", StringComparison.Ordinal) < install.IndexOf("tar -xzf", StringComparison.Ordinal));
        var tarball = _release.Tarball;
        var altered = Path.Combine(_s.Root, "altered.tar.gz");
        var bytes = File.ReadAllBytes(tarball);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(altered, bytes);
        Run Install(string file, string runnerTemp)
        {
            Directory.CreateDirectory(runnerTemp);
            return _s.Exec(_s.Root, "bash", ["-e", "-c", install], env: new Dictionary<string, string?>
            {
                ["GIT_PROMOTE_URL"] = new Uri(file).AbsoluteUri,
                ["GIT_PROMOTE_SHA256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(tarball))),
                ["RUNNER_TEMP"] = runnerTemp,
                ["GITHUB_PATH"] = Path.Combine(runnerTemp, "github-path"),
            });
        }
        var installed = Install(tarball, Path.Combine(_s.Root, "runner-ok"));
        var refused = Install(altered, Path.Combine(_s.Root, "runner-altered"));
        Assert.True(installed.ExitCode == 0, installed.Output);
        var bin = File.ReadAllText(Path.Combine(_s.Root, "runner-ok", "github-path")).Trim();
        Assert.Contains($"git-promote {_release.Version}", _s.Exec(_s.Root, Path.Combine(bin, "git-promote"), ["--version"]).EnsureOk().Stdout);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("FAILED", refused.Output);
        Assert.False(Directory.Exists(Path.Combine(_s.Root, "runner-altered", "git-promote", "bin")));

        // The gate step, as written, with the variables its env block gives it (the evidence reader left out: moto's one account).
        var command = Step("gate", "gate");
        var policy = gated.GetProperty("env").GetProperty("PROMOTE_POLICY").GetString()!.Replace(ExampleService, _aws.Service);
        var actions = new Dictionary<string, string?>
        {
            ["GITHUB_SHA"] = head,
            ["AWS_REGION"] = AwsWorld.Region,
            ["PROMOTE_POLICY"] = policy,
            ["ENVIRONMENT"] = "stg",
            ["PROMOTE_REMOTE_DEV"] = Path.Combine(_s.Root, "dev.git"),
        };
        const string role = " --role \"$PREVIOUS_ENVIRONMENT=$EVIDENCE_READER\"";
        Assert.Contains(role, command);
        var refusedGate = _s.Exec(Source(app, head), "bash", ["-c", command.Replace(role, "", StringComparison.Ordinal)], env: actions);
        _s.Record(app, "dev", head).EnsureOk();
        var admitted = _s.Exec(Source(app, head), "bash", ["-c", command.Replace(role, "", StringComparison.Ordinal)], env: actions);
        Assert.Equal(1, refusedGate.ExitCode);
        Assert.Contains("(GITHUB_SHA;", refusedGate.Stdout);
        Assert.Equal(0, admitted.ExitCode);
    }

    [Fact]
    public void The_GitLab_gate_job_runs_with_its_pinned_policy_variable_and_CI_COMMIT_SHA()
    {
        var app = _s.Project(_aws.Policy());
        _s.Promote(app, "policy", "publish", "stg").EnsureOk();
        var head = Head(app);
        _s.Record(app, "dev", head).EnsureOk();
        var ci = Yaml(Example("gitlab/policy-ci.yml"));
        var policyFile = Yaml(Example("gitlab/pipeline-execution-policy.yml")).GetProperty("pipeline_execution_policy")[0];
        Assert.Equal("override_project_ci", policyFile.GetProperty("pipeline_config_strategy").GetString());
        Assert.Equal("gitlab/policy-ci.yml", policyFile.GetProperty("content").GetProperty("include")[0].GetProperty("file").GetString());
        Assert.Equal("none", ci.GetProperty("gate-stg").GetProperty("variables").GetProperty("GIT_STRATEGY").GetString());
        Assert.Equal("none", ci.GetProperty("record-stg").GetProperty("variables").GetProperty("GIT_STRATEGY").GetString());
        var policy = ci.GetProperty("variables").GetProperty("PROMOTE_POLICY").GetString()!.Replace(ExampleService, _aws.Service);
        Assert.Equal("gate", ci.GetProperty("gate-stg").GetProperty("stage").GetString());
        Assert.Equal("gate-stg", ci.GetProperty("deploy-stg").GetProperty("needs")[0].GetString());
        // Only the gate and record jobs get a token of the audience their roles require; the deploy job's code gets another,
        // and the record job takes no artifact from it.
        string Audience(string job) => ci.GetProperty(job).GetProperty("id_tokens").EnumerateObject().Single().Value.GetProperty("aud").GetString()!;
        Assert.Equal("git-promote-stg", Audience("gate-stg"));
        Assert.Equal("git-promote-stg", Audience("record-stg"));
        Assert.NotEqual("git-promote-stg", Audience("deploy-stg"));
        var needs = Assert.Single(ci.GetProperty("record-stg").GetProperty("needs").EnumerateArray());
        Assert.Equal("deploy-stg", needs.GetProperty("job").GetString());
        Assert.False(needs.GetProperty("artifacts").GetBoolean());

        var source = Source(app, head);
        var env = new Dictionary<string,
            string?>
        {
            ["CI_COMMIT_SHA"] = head,
            ["PROMOTE_POLICY"] = policy,
            ["AWS_REGION"] = AwsWorld.Region,
            ["PROMOTE_REMOTE_DEV"] = Path.Combine(_s.Root, "dev.git")
        };
        foreach (var line in ci.GetProperty("gate-stg").GetProperty("script").EnumerateArray())
        {
            var run = _s.Exec(source, "bash", ["-c", line.GetString()!], env: env);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("(CI_COMMIT_SHA; policy ssm:", run.Stdout);
        }
    }

    private string Head(string app) => _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
}
