using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary><c>git promote doctor</c> in the published binary: what is fine, what is not, and what to do about it.</summary>
[Collection(InstalledCollection.Name)]
public sealed class AwsDoctorTests : IDisposable
{
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;

    public AwsDoctorTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    private static string[] Lines(Run run, string area) =>
        run.Stdout.Split('\n').Where(l => l.Length > 6 && l[6..].StartsWith(area + " ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Doctor_says_all_good_for_a_wired_clone_whose_environments_answer()
    {
        _aws.AddStaticProfile("orders-stg");
        _aws.Pipelines.AddExecutions("orders-stg", new FakeExecution("e-1", "Succeeded", [new string('a', 40)], DateTimeOffset.UtcNow));
        var app = _s.Project(_aws.Policy(stgEvidence: "- ssm: {}\n- codepipeline: { pipeline: orders-stg }",
            stgAws: "{ region: eu-west-1, profile: orders-stg }"));

        var run = _s.Promote(app, "doctor");
        var jsonText = _s.Promote(app, "doctor", "--json").Stdout;
        PublishedSchemas.AssertConforms("doctor", jsonText.TrimEnd('\n'));
        var json = JsonDocument.Parse(jsonText).RootElement;

        run.EnsureOk();
        Assert.DoesNotContain("FAIL", run.Stdout);
        // Plain bare repositories run no server guard: that is a warning for each gated environment, not a problem. And
        // stg and prd are one (moto) account and region here: a warning too, as for a team whose profiles point alike.
        Assert.Contains("all good (3 warnings)", run.Stdout);
        Assert.Contains(Lines(run, "prd"), l => l.Contains($"stg and prd both reach account {AwsWorld.Account} in eu-west-1"));
        Assert.Contains(Lines(run, "policy"), l => l.Contains($"valid: {_aws.Service}, dev -> stg -> prd"));
        Assert.Contains(Lines(run, "git"), l => l.Contains("libgit2"));
        Assert.Contains(Lines(run, "hooks"), l => l.Contains(_s.Installed.HooksDir) && l.Contains("git-promote's shims"));
        var stg = Lines(run, "stg");
        Assert.Contains(stg, l => l.Contains("remote stg -> ") && l.Contains("reachable"));
        Assert.Contains(stg, l => l.Contains("region") && l.Contains("eu-west-1"));
        Assert.Contains(stg, l => l.Contains($"account {AwsWorld.Account}") && l.Contains("(profile orders-stg)"));
        Assert.Contains(stg, l => l.Contains("ssm read") && l.Contains($"/promote/{_aws.Service}/stg/green"));
        Assert.Contains(stg, l => l.Contains("codepipeline orders-stg") && l.Contains("e-1 (Succeeded)"));
        Assert.True(json.GetProperty("ok").GetBoolean());
        var checks = json.GetProperty("checks").EnumerateArray().ToList();
        Assert.All(checks.Where(c => c.GetProperty("name").GetString() is not ("server guard" or "account")),
            c => Assert.Equal("ok", c.GetProperty("status").GetString()));
        Assert.Equal("warn", Assert.Single(checks, c => c.GetProperty("name").GetString() == "account").GetProperty("status").GetString());
        Assert.Equal(["stg", "prd"], checks.Where(c => c.GetProperty("name").GetString() == "server guard" && c.GetProperty("status").GetString() == "warn")
            .Select(c => c.GetProperty("area").GetString()));
    }

    [Theory]
    [InlineData("missing pipeline", "codepipeline orders-prd", "does not exist", "check `codepipeline: { pipeline: ... }`")]
    [InlineData("no credentials", "credentials", "no AWS credentials were found", "give prd credentials")]
    public void Doctor_names_what_is_wrong_with_an_environment_and_what_to_do(string broken, string check, string why, string todo)
    {
        _aws.AddStaticProfile("orders-stg");
        if (broken == "no credentials") _aws.WithoutEnvironmentKeys();
        else _aws.Pipelines.AddPipeline("orders-stg");
        var app = _s.Project(_aws.Policy(
            stgAws: "{ region: eu-west-1, profile: orders-stg }",
            prdEvidence: "- ssm: {}\n- codepipeline: { pipeline: orders-prd }"));

        var run = _s.Promote(app, "doctor");

        Assert.Equal(1, run.ExitCode);
        Assert.All(Lines(run, "stg").Where(l => !l.Contains("server guard", StringComparison.Ordinal)), l => Assert.StartsWith("ok", l));
        var failed = Assert.Single(run.Stdout.Split('\n'), l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("prd", failed);
        Assert.Contains(check, failed);
        Assert.Contains(why, failed);
        Assert.Contains("region eu-west-1", failed);
        var next = run.Stdout.Split('\n').SkipWhile(l => l != failed).Skip(1).First();
        Assert.Contains($"what to do: {todo}", next);
        Assert.Contains("1 problem found", run.Stdout);
        Assert.DoesNotContain("   at ", run.Output);
    }

    [Fact]
    public void Doctor_points_at_the_policy_error_by_file_line_and_column_and_at_unwired_hooks()
    {
        var app = _s.Project(_aws.Policy());
        File.WriteAllText(Path.Combine(app, ".promote.yml"), _aws.Policy().Replace("on_error: block", "on_eror: block"));
        _s.Promote(app, "uninstall").EnsureOk();

        var run = _s.Promote(app, "doctor");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"FAIL  policy .*\.promote\.yml:\d+:1: unknown key 'on_eror'; did you mean 'on_error'\?", run.Stdout);
        Assert.Matches(@"FAIL  hooks +core\.hooksPath +not set", run.Stdout);
        Assert.Contains("what to do: git promote install", run.Stdout);
    }
}
