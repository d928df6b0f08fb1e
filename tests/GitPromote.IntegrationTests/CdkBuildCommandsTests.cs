using System.Text.Json;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The gate and record builds of the CDK construct (examples/cdk/templates) fetch git-promote from S3 and run it with no
/// internet. Their install commands, exactly as committed, run here against moto's S3 with a tarball in the release
/// layout made of the published AOT binary, and must leave `git promote` on PATH as that binary.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class CdkBuildCommandsTests(InstalledGitPromote installed) : IDisposable
{
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData("git promote gate stg ")]
    [InlineData("git promote record prd ")]
    public void The_committed_buildspec_downloads_and_unpacks_the_release_tarball_and_puts_git_promote_on_path(string commandOfTheBuild)
    {
        var commands = BuildCommands(commandOfTheBuild);
        Assert.StartsWith(commandOfTheBuild, commands[^1]);
        var install = commands[..^1];

        var version = _s.Promote(_s.Root, "--version").EnsureOk().Stdout.Trim();
        var (bucket, key) = UploadReleaseTarball();
        var env = MotoS3();

        var build = Path.Combine(_s.Root, "codebuild-tmp");
        Directory.CreateDirectory(build);
        env["GIT_PROMOTE_BUCKET"] = bucket;
        env["GIT_PROMOTE_KEY"] = key;
        env["TMPDIR"] = build;
        // Without the test's installed prefix in front: the last line checks that the downloaded binary answers.
        env["PATH"] = System.Environment.GetEnvironmentVariable("PATH");
        // As CodeBuild runs a phase: one shell, and the first command that fails stops the build.
        var script = string.Concat(install.Select(c => $"{{ {c}; }} || exit $?\n")) + "command -v git-promote\n";
        var run = _s.Exec(_s.Root, "/bin/sh", ["-c", script], env: env).EnsureOk();

        Assert.Contains(version, run.Stdout);
        Assert.StartsWith(Path.Combine(build, "git-promote") + "/", run.Stdout.Trim().Split('\n')[^1]);
    }

    /// <summary>
    /// The whole committed builds, their last line included, with the published binary against SSM in moto: the construct's
    /// command line, its PROMOTE_COMMIT mapping and its PROMOTE_AWS_ROLE_ variable must mean what the gate takes them to.
    /// Only the service name is this test's own, so the SSM paths of parallel tests never meet.
    /// </summary>
    [Fact]
    public void The_committed_gate_and_record_builds_admit_a_commit_recorded_in_dev_into_stg_and_refuse_an_unrecorded_one()
    {
        using var aws = new AwsWorld(_s);
        var policy = File.ReadAllText(Path.Combine(InstalledGitPromote.RepositoryRoot, "examples", "cdk", "promote.yml")).Replace(ExampleService, aws.Service);
        var policyFile = Path.Combine(_s.Root, "pinned.yml");
        File.WriteAllText(policyFile, policy);
        aws.AwsCli("ssm", "put-parameter", "--name", $"/promote/{aws.Service}/policy", "--type", "String", "--value", $"file://{policyFile}").EnsureOk();
        var (bucket, key) = UploadReleaseTarball();
        var recorded = new string('a', 40);
        var unrecorded = new string('b', 40);

        var (gateCommands, gateVariables) = Build("git promote gate stg ");
        var roleVariable = Assert.Single(gateVariables, v => v.StartsWith("PROMOTE_AWS_ROLE_", StringComparison.Ordinal));
        Assert.Equal("PROMOTE_AWS_ROLE_DEV", roleVariable);
        // moto keeps one state per account, and dev's record below writes with the world's keys, in its account: so the
        // reader role is dev's in that account, as the construct names it.
        var readerRole = $"arn:aws:iam::{AwsWorld.Account}:role/promote-{aws.Service}-dev-evidence-reader";
        var gate = (string commit) => RunBuild(gateCommands, bucket, key, aws.Service,
            new() { ["PROMOTE_COMMIT"] = commit, [roleVariable] = readerRole, ["AWS_REGION"] = AwsWorld.Region });
        var record = (string env, string commit) => RunBuild(Build($"git promote record {env} ").Commands, bucket, key, aws.Service,
            new() { ["PROMOTE_COMMIT"] = commit, ["AWS_REGION"] = AwsWorld.Region });

        var beforeDev = gate(recorded);
        var recordDev = record("dev", recorded);
        aws.Requests.Reset();
        var afterDev = gate(recorded);
        var assumedDevReader = aws.Requests["AssumeRole"];
        var untested = gate(unrecorded);
        var recordStg = record("stg", recorded);

        Assert.True(beforeDev.ExitCode == 1, beforeDev.Output);
        Assert.Contains("is not green in dev", beforeDev.Output);
        Assert.True(recordDev.ExitCode == 0, recordDev.Output);
        Assert.True(afterDev.ExitCode == 0, afterDev.Output);
        Assert.Contains("ADMITTED: green in dev", afterDev.Output);
        Assert.True(assumedDevReader >= 1, "the gate reads dev's evidence through the role the construct names");
        Assert.True(untested.ExitCode == 1, untested.Output);
        Assert.True(recordStg.ExitCode == 0, recordStg.Output);
        aws.AwsCli("ssm", "get-parameter", "--name", aws.Green("stg", recorded)).EnsureOk();
    }

    private const string ExampleService = "orders-service";

    private (string Bucket, string Key) UploadReleaseTarball()
    {
        var bucket = "promote-" + Guid.NewGuid().ToString("N")[..12];
        var key = "assets/git-promote-linux-x64.tar.gz";
        var env = MotoS3();
        _s.Exec(_s.Root, "aws", ["s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1"], env: env).EnsureOk();
        _s.Exec(_s.Root, "aws", ["s3", "cp", "--only-show-errors", ReleaseTarball(), $"s3://{bucket}/{key}"], env: env).EnsureOk();
        return (bucket, key);
    }

    private static Dictionary<string, string?> MotoS3() => new()
    {
        ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_DEFAULT_REGION"] = "eu-west-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    /// <summary>All commands of a build in one shell, as CodeBuild runs a phase, in an empty source folder (no .git).</summary>
    private Run RunBuild(IEnumerable<string> commands, string bucket, string key, string service, Dictionary<string, string?> variables)
    {
        var build = Path.Combine(_s.Root, "codebuild-" + Guid.NewGuid().ToString("N")[..8]);
        var source = Path.Combine(build, "src");
        Directory.CreateDirectory(source);
        // S3 (the download) straight to moto; SSM and STS keep the world's counting endpoints, which are more specific.
        var env = new Dictionary<string, string?>(variables)
        {
            ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(), ["AWS_DEFAULT_REGION"] = AwsWorld.Region,
            ["GIT_PROMOTE_BUCKET"] = bucket, ["GIT_PROMOTE_KEY"] = key, ["TMPDIR"] = build,
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH"),
        };
        var script = string.Concat(commands.Select(c => $"{{ {c.Replace(ExampleService, service)}; }} || exit $?\n"));
        return _s.Exec(source, "/bin/sh", ["-c", script], env: env);
    }

    /// <summary>The build commands and variable names of the committed CodeBuild project whose last command starts with <paramref name="commandOfTheBuild"/>.</summary>
    private static (string[] Commands, string[] Variables) Build(string commandOfTheBuild)
    {
        var templates = Path.Combine(InstalledGitPromote.RepositoryRoot, "examples", "cdk", "templates");
        foreach (var file in Directory.GetFiles(templates, "*.template.json"))
        {
            using var template = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var resource in template.RootElement.GetProperty("Resources").EnumerateObject())
            {
                if (resource.Value.GetProperty("Type").GetString() != "AWS::CodeBuild::Project") continue;
                var properties = resource.Value.GetProperty("Properties");
                var spec = properties.GetProperty("Source").GetProperty("BuildSpec");
                if (spec.ValueKind != JsonValueKind.String) continue;
                using var parsed = JsonDocument.Parse(spec.GetString()!);
                var commands = parsed.RootElement.GetProperty("phases").GetProperty("build").GetProperty("commands").EnumerateArray().Select(c => c.GetString()!).ToArray();
                if (!commands[^1].StartsWith(commandOfTheBuild, StringComparison.Ordinal)) continue;
                var variables = properties.GetProperty("Environment").TryGetProperty("EnvironmentVariables", out var v)
                    ? v.EnumerateArray().Select(e => e.GetProperty("Name").GetString()!).ToArray() : [];
                return (commands, variables);
            }
        }
        throw new InvalidOperationException($"no build in {templates} runs '{commandOfTheBuild}'");
    }

    /// <summary>The build commands of the committed example project whose last command starts with <paramref name="commandOfTheBuild"/>.</summary>
    private static string[] BuildCommands(string commandOfTheBuild) => Build(commandOfTheBuild).Commands;

    /// <summary>git-promote-VERSION-linux-x64.tar.gz as the release packs it: a top folder with bin/git-promote and libgit2 beside it.</summary>
    private string ReleaseTarball()
    {
        var top = Path.Combine(_s.Root, "release", "git-promote-linux-x64");
        var bin = Path.Combine(top, "bin");
        Directory.CreateDirectory(bin);
        foreach (var file in Directory.GetFiles(Path.Combine(installed.Prefix, "bin")))
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        var tarball = Path.Combine(_s.Root, "release", "git-promote-linux-x64.tar.gz");
        _s.Exec(Path.Combine(_s.Root, "release"), "tar", ["-czf", tarball, "git-promote-linux-x64"]).EnsureOk();
        return tarball;
    }
}
