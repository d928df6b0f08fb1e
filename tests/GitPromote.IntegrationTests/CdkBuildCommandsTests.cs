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
        var tarball = ReleaseTarball();
        var bucket = "promote-" + Guid.NewGuid().ToString("N")[..12];
        var key = "assets/git-promote-linux-x64.tar.gz";
        var env = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = SharedMoto.Server.DirectEndpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = "testing", ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_DEFAULT_REGION"] = "eu-west-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        _s.Exec(_s.Root, "aws", ["s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1"], env: env).EnsureOk();
        _s.Exec(_s.Root, "aws", ["s3", "cp", "--only-show-errors", tarball, $"s3://{bucket}/{key}"], env: env).EnsureOk();

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

    /// <summary>The build commands of the committed example project whose last command starts with <paramref name="commandOfTheBuild"/>.</summary>
    private static string[] BuildCommands(string commandOfTheBuild)
    {
        var templates = Path.Combine(InstalledGitPromote.RepositoryRoot, "examples", "cdk", "templates");
        foreach (var file in Directory.GetFiles(templates, "*.template.json"))
        {
            using var template = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var resource in template.RootElement.GetProperty("Resources").EnumerateObject())
            {
                if (resource.Value.GetProperty("Type").GetString() != "AWS::CodeBuild::Project") continue;
                var spec = resource.Value.GetProperty("Properties").GetProperty("Source").GetProperty("BuildSpec");
                if (spec.ValueKind != JsonValueKind.String) continue;
                using var parsed = JsonDocument.Parse(spec.GetString()!);
                var commands = parsed.RootElement.GetProperty("phases").GetProperty("build").GetProperty("commands").EnumerateArray().Select(c => c.GetString()!).ToArray();
                if (commands[^1].StartsWith(commandOfTheBuild, StringComparison.Ordinal)) return commands;
            }
        }
        throw new InvalidOperationException($"no build in {templates} runs '{commandOfTheBuild}'");
    }

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
