using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitPromote.Cdk.Tests.Iam;
using GitPromote.TestSupport;
using Xunit.Abstractions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The committed example templates' own buildspecs (Gate, Record, Prune), run in a <see cref="CodeBuildSandbox"/> the way
/// CodeBuild Lambda compute would run them: only the tools every accepted Lambda image documents, no privilege, writes
/// under /tmp only, and exactly the variables the template's project, its pipeline action and CodeBuild set. AWS is moto
/// (its own server: the templates' fixed service name and accounts are used as they are), one account per environment,
/// each build acting as its project's service role in that account. git-promote is the release tarball test.sh built,
/// which the build downloads from (moto's) S3 and checks against the SHA-256 the stack was given.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class CommittedBuildspecTests : IClassFixture<ReleasePackages>, IDisposable
{
    private const string Service = "orders-service";
    private const string Region = ResolvedTemplate.Region;
    private const string Bucket = "platform-artifacts";
    private static readonly Dictionary<string, string> Accounts = new() { ["dev"] = "111111111111", ["stg"] = "222222222222", ["prd"] = "333333333333" };

    private readonly MotoServer _moto = MotoServer.StartAsync().GetAwaiter().GetResult();
    private readonly CodeBuildSandbox _sandbox = new();
    private readonly TempDirectory _work = new();
    private readonly ReleasePackages _release;
    private readonly ITestOutputHelper _output;
    private readonly string _key;
    private string _sha256 = "";

    public CommittedBuildspecTests(ReleasePackages release, ITestOutputHelper output)
    {
        _release = release;
        _output = output;
        _key = $"git-promote/{Path.GetFileName(release.Tarball)}";
        foreach (var environment in Accounts.Keys) PinThePolicyAsTheStackDoes(environment);
    }

    public void Dispose()
    {
        _sandbox.Dispose();
        _work.Dispose();
        _moto.Dispose();
    }

    [Fact]
    public void The_sandbox_holds_only_the_documented_tools_and_lets_a_build_write_only_under_tmp()
    {
        var run = _sandbox.Run(
        [
            "command -v find || echo 'no find'",
            "touch \"$TMPDIR/written\" && echo 'tmp is writable'",
            "touch /usr/local/bin/git-promote 2>/dev/null || echo 'nothing else is'",
            "grep CapEff /proc/self/status 2>/dev/null || while read -r line; do case \"$line\" in CapEff*) echo \"$line\" ;; esac; done < /proc/self/status",
            "find . -name README.md",
            "echo 'never reached'",
        ], new Dictionary<string, string?>());

        Assert.Equal(127, run.ExitCode);
        Assert.Contains("no find", run.Stdout);
        Assert.Contains("tmp is writable", run.Stdout);
        Assert.Contains("nothing else is", run.Stdout);
        Assert.Contains("CapEff:\t0000000000000000", run.Stdout);
        Assert.Contains("command 5 of 6 exited 127", run.Stderr);
        Assert.DoesNotContain("never reached", run.Stdout);
    }

    [Fact]
    public void The_committed_gate_and_record_builds_run_on_the_Lambda_images_tools_and_reach_git_promotes_verdict()
    {
        UploadTarball(File.ReadAllBytes(_release.Tarball));
        var commit = Commit("a");

        var refusedBeforeDev = Build("stg", "gate", commit);
        var recordDev = Build("dev", "record", commit);
        var gateStg = Build("stg", "gate", commit);
        var recordStg = Build("stg", "record", commit);
        var gatePrd = Build("prd", "gate", commit);

        Assert.True(refusedBeforeDev.ExitCode == 1, refusedBeforeDev.Output);
        Assert.Contains("is not green in dev", refusedBeforeDev.Output);
        Assert.Contains($"git-promote {_release.Version}", refusedBeforeDev.Output);
        Assert.True(recordDev.ExitCode == 0, recordDev.Output);
        Assert.Equal(0, Aws(AsAccount("dev"), "ssm", "get-parameter", "--name", $"/promote/{Service}/dev/green/{commit}").ExitCode);
        Assert.True(gateStg.ExitCode == 0, gateStg.Output);
        Assert.Contains("ADMITTED: green in dev", gateStg.Output);
        Assert.True(recordStg.ExitCode == 0, recordStg.Output);
        // prd's gate reads stg through stg's reader role: green there, but stg's alarms were never OK for healthy_for
        // (moto has none), and prd wants an approval. A verdict, not a failure to ask.
        Assert.True(gatePrd.ExitCode == 1, gatePrd.Output);
        Assert.Contains("pass  order       green in stg (ssm", gatePrd.Output);
        Assert.Contains("may not go to prd: health, approvals", gatePrd.Output);
    }

    [Fact]
    public void A_tarball_changed_by_one_byte_is_refused_before_it_is_unpacked_or_run()
    {
        var bytes = File.ReadAllBytes(_release.Tarball);
        UploadTarball(bytes);
        var expected = _sha256;
        bytes[bytes.Length / 2] ^= 0x01;
        UploadTarball(bytes, sha256: expected);

        var record = Build("dev", "record", Commit("b"));

        Assert.NotEqual(0, record.ExitCode);
        Assert.Contains("SHA-256", record.Output);
        Assert.DoesNotContain($"git-promote {_release.Version}", record.Output);
        Assert.NotEqual(0, Aws(AsAccount("dev"), "ssm", "get-parameter", "--name", $"/promote/{Service}/dev/green/{Commit("b")}").ExitCode);
        Assert.Empty(Directory.GetFiles(_sandbox.Tmp, "git-promote", SearchOption.AllDirectories));
    }

    /// <summary>
    /// The daily prune build of stg, as scheduled (no pipeline: CodeBuild's variables only): with the committed settings it
    /// keeps everything young; with --keep 1 --older-than 0s (what PruneKeep and PruneOlderThan would set) it deletes the
    /// green records of commits not deployed and not the newest; and with fewer records allowed than are left it fails,
    /// which is what raises the prune alarm. What is deployed comes from the environment's repository (here a bare
    /// repository on disk standing for the CodeCommit URL the project names).
    /// </summary>
    [Fact]
    public void The_committed_prune_build_deletes_only_what_retention_allows_and_fails_when_too_many_records_are_left()
    {
        UploadTarball(File.ReadAllBytes(_release.Tarball));
        var (repository, commits) = RepositoryWithCommits(3);
        foreach (var commit in commits) Ok(Build("stg", "record", commit));
        var deployed = commits[^1];
        var remote = new Dictionary<string, string?> { ["GIT_CONFIG_VALUE_0"] = repository };

        var committed = Build("stg", "prune", deployed, remote);
        var pruned = Build("stg", "prune", deployed, new Dictionary<string, string?>(remote)
        {
            ["GIT_PROMOTE_PRUNE_KEEP"] = "1",
            ["GIT_PROMOTE_PRUNE_OLDER_THAN"] = "0s",
        });
        var tooMany = Build("stg", "prune", deployed, new Dictionary<string, string?>(remote) { ["GIT_PROMOTE_PRUNE_WARN_AT"] = "1" });

        Assert.True(committed.ExitCode == 0, committed.Output);
        Assert.Contains("deleted 0 of", committed.Output);
        Assert.True(pruned.ExitCode == 0, pruned.Output);
        foreach (var old in commits[..^1])
        {
            Assert.Contains($"deleted: /promote/{Service}/stg/green/{old}", pruned.Output);
            Assert.NotEqual(0, Aws(AsAccount("stg"), "ssm", "get-parameter", "--name", $"/promote/{Service}/stg/green/{old}").ExitCode);
        }
        Ok(Aws(AsAccount("stg"), "ssm", "get-parameter", "--name", $"/promote/{Service}/stg/green/{deployed}"));
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("records after pruning, more than 1: SSM's standard tier holds 10,000 parameters", tooMany.Output);
    }

    /// <summary>A bare repository whose main holds <paramref name="count"/> commits, oldest first.</summary>
    private (string Bare, string[] Commits) RepositoryWithCommits(int count)
    {
        var work = Path.Combine(_work.Path, "app");
        var bare = Path.Combine(_work.Path, "stg.git");
        Git(_work.Path, "init", "--quiet", "--initial-branch=main", work);
        var commits = new string[count];
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(work, "version.txt"), $"{i}\n");
            Git(work, "add", "version.txt");
            Git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", $"change {i}");
            commits[i] = Git(work, "rev-parse", "HEAD").Trim();
        }
        Git(_work.Path, "clone", "--quiet", "--bare", work, bare);
        return (bare, commits);
    }

    private static string Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    private static string Commit(string fill) => string.Concat(Enumerable.Repeat(fill, 40));

    /// <summary>The tarball in moto's S3 at the key the stacks are given; <see cref="_sha256"/> is its digest unless given.</summary>
    private void UploadTarball(byte[] bytes, string? sha256 = null)
    {
        var file = Path.Combine(_work.Path, "upload.tar.gz");
        File.WriteAllBytes(file, bytes);
        var platform = AsAccount("dev");
        Aws(platform, "s3api", "create-bucket", "--bucket", Bucket, "--create-bucket-configuration", $"LocationConstraint={Region}");
        Ok(Aws(platform, "s3", "cp", "--only-show-errors", file, $"s3://{Bucket}/{_key}"));
        _sha256 = sha256 ?? Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static JsonObject Template(string environment) => (JsonObject)JsonNode.Parse(File.ReadAllText(
        Path.Combine(RepositoryRoot.Path, "examples", "cdk", "templates", $"{Service}-{environment}.template.json")))!;

    private ResolvedTemplate Deployed(string environment) => new(Template(environment), Accounts[environment], new Dictionary<string, string>
    {
        ["GitPromoteBinaryBucket"] = Bucket,
        ["GitPromoteBinaryKey"] = _key,
        ["GitPromoteBinarySha256"] = _sha256,
    });

    /// <summary>
    /// Runs the committed project of <paramref name="environment"/> whose build runs <c>git promote KIND ENV</c>, as its
    /// service role, with the project's variables, its pipeline action's (the Source action's CommitId resolved to
    /// <paramref name="commit"/>) and CodeBuild's own.
    /// </summary>
    private Run Build(string environment, string kind, string commit, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var t = Deployed(environment);
        var project = t.OfType("AWS::CodeBuild::Project").Single(p =>
            t.Properties(p)["Source"]?["BuildSpec"]?.GetValue<string>().Contains($"git promote {kind} {environment} ") == true);
        // Overrides stand for other props, only for variables the project has.
        Assert.All(overrides?.Keys ?? [], k => Assert.Contains(t.Properties(project)["Environment"]!["EnvironmentVariables"]!.AsArray(),
            v => v!["Name"]!.GetValue<string>() == k));
        var properties = t.Properties(project);
        var image = properties["Environment"]!["Image"]!.GetValue<string>();
        Assert.Equal("LINUX_LAMBDA_CONTAINER", properties["Environment"]!["Type"]!.GetValue<string>());
        Assert.StartsWith("aws/codebuild/amazonlinux-x86_64-lambda-standard:", image);

        var spec = JsonNode.Parse(properties["Source"]!["BuildSpec"]!.GetValue<string>())!;
        Assert.Equal("0.2", spec["version"]!.GetValue<string>());
        var commands = new[] { "install", "pre_build", "build", "post_build" }
            .SelectMany(phase => spec["phases"]?[phase]?["commands"]?.AsArray().Select(c => c!.GetValue<string>()) ?? []).ToList();

        var variables = new Dictionary<string, string?>();
        foreach (var v in properties["Environment"]!["EnvironmentVariables"]?.AsArray() ?? [])
        {
            Assert.Equal("PLAINTEXT", v!["Type"]?.GetValue<string>() ?? "PLAINTEXT");
            variables[v["Name"]!.GetValue<string>()] = v["Value"]!.GetValue<string>();
        }
        foreach (var (name, value) in ActionVariables(t, project))
            variables[name] = value.Replace("#{Source_Source_NS.CommitId}", commit, StringComparison.Ordinal);
        Assert.DoesNotContain(variables, v => v.Value?.Contains("#{", StringComparison.Ordinal) == true);

        // What CodeBuild sets in every build, and the credentials of the project's service role in this account.
        var roleArn = properties["ServiceRole"]!.GetValue<string>();
        variables["CODEBUILD_BUILD_ID"] = $"{properties["Name"]!.GetValue<string>()}:{Guid.NewGuid()}";
        if (properties["Source"]!["Type"]!.GetValue<string>() == "CODEPIPELINE")
        {
            variables["CODEBUILD_RESOLVED_SOURCE_VERSION"] = commit;
            variables["CODEBUILD_INITIATOR"] = "codepipeline/" + t.Properties(t.OfType("AWS::CodePipeline::Pipeline").Single())["Name"]!.GetValue<string>();
        }
        else
        {
            var schedule = t.OfType("AWS::Events::Rule").Single(r => t.Properties(r)["ScheduleExpression"] is not null);
            variables["CODEBUILD_INITIATOR"] = "rule/" + t.Properties(schedule)["Name"]!.GetValue<string>();
        }
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) variables[k] = v;
        variables["AWS_REGION"] = variables["AWS_DEFAULT_REGION"] = Region;
        foreach (var (k, v) in AssumeRole(AsBase(), roleArn)) variables[k] = v;
        variables["AWS_ENDPOINT_URL"] = _moto.DirectEndpoint.ToString();

        _output.WriteLine($"--- {environment} {kind} on {image}, as {roleArn}");
        var run = _sandbox.Run(commands, variables);
        _output.WriteLine(run.Output);
        return run;
    }

    /// <summary>The variables the pipeline action that runs <paramref name="project"/> passes (its EnvironmentVariables configuration).</summary>
    private static IEnumerable<(string Name, string Value)> ActionVariables(ResolvedTemplate t, string project)
    {
        var name = t.Properties(project)["Name"]!.GetValue<string>();
        var pipeline = t.Properties(t.OfType("AWS::CodePipeline::Pipeline").Single());
        var action = pipeline["Stages"]!.AsArray().SelectMany(s => s!["Actions"]!.AsArray())
            .SingleOrDefault(a => a!["Configuration"]?["ProjectName"]?.GetValue<string>() == name);
        if (action?["Configuration"]?["EnvironmentVariables"] is not { } json) yield break;
        foreach (var v in JsonNode.Parse(json.GetValue<string>())!.AsArray())
        {
            Assert.Equal("PLAINTEXT", v!["type"]!.GetValue<string>());
            yield return (v["name"]!.GetValue<string>(), v["value"]!.GetValue<string>());
        }
    }

    /// <summary>What CloudFormation does in each account: the AWS::SSM::Parameter that pins the policy.</summary>
    private void PinThePolicyAsTheStackDoes(string environment)
    {
        var t = new ResolvedTemplate(Template(environment), Accounts[environment], new Dictionary<string, string>
        {
            ["GitPromoteBinaryBucket"] = Bucket,
            ["GitPromoteBinaryKey"] = "k",
            ["GitPromoteBinarySha256"] = new string('0', 64),
        });
        var parameter = t.Properties(t.OfType("AWS::SSM::Parameter").Single());
        var file = Path.Combine(_work.Path, $"policy-{environment}.yml");
        File.WriteAllText(file, parameter["Value"]!.GetValue<string>());
        Ok(Aws(AsAccount(environment), "ssm", "put-parameter", "--name", parameter["Name"]!.GetValue<string>(), "--type", "String",
            "--value", $"file://{file}"));
    }

    private Dictionary<string, string?> AsBase() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_SESSION_TOKEN"] = null,
    };

    /// <summary>Credentials in <paramref name="environment"/>'s account (moto keys an account by the role an AssumeRole named).</summary>
    private Dictionary<string, string?> AsAccount(string environment) =>
        AssumeRole(AsBase(), $"arn:aws:iam::{Accounts[environment]}:role/cloudformation-stand-in");

    private Dictionary<string, string?> AssumeRole(Dictionary<string, string?> caller, string roleArn)
    {
        var run = Ok(Aws(caller, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "codebuild", "--output", "json"));
        var credentials = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("Credentials");
        return new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = credentials.GetProperty("AccessKeyId").GetString(),
            ["AWS_SECRET_ACCESS_KEY"] = credentials.GetProperty("SecretAccessKey").GetString(),
            ["AWS_SESSION_TOKEN"] = credentials.GetProperty("SessionToken").GetString(),
        };
    }

    /// <summary>The AWS CLI on this machine against this test's moto, with the given credentials.</summary>
    private Run Aws(Dictionary<string, string?> credentials, params string[] args)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["AWS_ENDPOINT_URL"] = _moto.DirectEndpoint.ToString();
        start.Environment["AWS_DEFAULT_REGION"] = Region;
        start.Environment["AWS_PAGER"] = "";
        foreach (var (k, v) in credentials)
            if (v is null) start.Environment.Remove(k);
            else start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static Run Ok(Run run)
    {
        Assert.True(run.ExitCode == 0, run.Output);
        return run;
    }
}
