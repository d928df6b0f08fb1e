using System.Text.Json;
using GitPromote.Core.Policy;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// Every --json output of the installed binary, from one history with a promotion, a revocation, a bypass and a commit
/// subject written to drive a terminal, matches its published schema in docs/json/; check and gate give the same words for
/// the same verdict.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class JsonSchemaTests(InstalledGitPromote installed) : IDisposable
{
    private const string Justification = "INC-9: checkout down, approved by on-call lead";
    private const string HostileSubject = "fix \u202egnp.exe \u007f \u009b31m \u2066done\u2069";

    private readonly Sandbox _s = new(installed);
    private int _sources;

    public void Dispose() => _s.Dispose();

    /// <summary>A pipeline step: the commit's files with no .git, the policy pinned outside them, each environment's remote given.</summary>
    private Run Gate(string app, string env, string commit)
    {
        var source = PipelineSource.Unpack(_s, app, commit, $"pipeline-src-{++_sources}");
        var remotes = new[] { "dev", "stg", "prd" }.ToDictionary(e => $"PROMOTE_REMOTE_{e.ToUpperInvariant()}", e => (string?)_s.Bare(e));
        return _s.Exec(source, _s.Installed.BinaryPath, ["gate", env, "--commit", commit, "--policy", _s.PipelinePolicy(TestPolicies.StandardYaml), "--json"],
            env: remotes);
    }

    /// <summary>The output on stdout, which must match <paramref name="command"/>'s schema and carry no raw terminal control.</summary>
    private static JsonElement Conforming(string command, Run run)
    {
        var json = run.Stdout.TrimEnd('\n');
        Assert.False(json.Contains('\n'), $"{command} --json is one line:\n{run.Output}");
        Assert.DoesNotContain(json, Quoting.IsUnsafe);
        PublishedSchemas.AssertConforms(command, json);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static (bool Allowed, string? Outcome, string? Reason) Verdict(JsonElement e) =>
        (e.GetProperty("allowed").GetBoolean(), e.GetProperty("outcome").GetString(), e.GetProperty("reason").GetString());

    /// <summary>check and gate on the same commit for the same environment: the same exit code, and the same words.</summary>
    private (bool Allowed, string? Outcome, string? Reason) CheckAndGate(string app, string env, string commit)
    {
        var check = _s.Promote(app, "check", env, commit, "--json");
        var gate = Gate(app, env, commit);
        Assert.True(check.ExitCode == gate.ExitCode, $"check exit {check.ExitCode}, gate exit {gate.ExitCode}:\n{check.Output}\n{gate.Output}");
        var checkVerdict = Verdict(Conforming("check", check));
        Assert.Equal(checkVerdict, Verdict(Conforming("gate", gate)));
        Assert.Equal(check.ExitCode == 0, checkVerdict.Allowed);
        return checkVerdict;
    }

    private string Scenario(out string hostile, out string hotfix)
    {
        var app = _s.Project();
        hostile = _s.Commit(app, HostileSubject);
        _s.Git(app, "push", "--quiet", "dev", "main").EnsureOk();
        _s.Record(app, "dev", "HEAD").EnsureOk();
        _s.Git(app, "push", "--quiet", "stg", "main").EnsureOk();
        _s.Record(app, "stg", "HEAD").EnsureOk();
        _s.Promote(app, "revoke", "stg", hostile, "--reason", "broke checkout \u202e").EnsureOk();
        hotfix = _s.Commit(app, "hotfix");
        _s.Exec(app, "git", ["push", "--quiet", "prd", "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = Justification }).EnsureOk();
        return app;
    }

    [Fact]
    public void Check_and_gate_give_the_same_outcome_and_reason_words_and_both_match_their_schemas()
    {
        var app = Scenario(out var hostile, out var hotfix);

        Assert.Equal((true, "first-environment", null), CheckAndGate(app, "dev", hotfix));
        Assert.Equal((false, "refused", "not-green"), CheckAndGate(app, "stg", hotfix));
        Assert.Equal((false, "refused", "revoked"), CheckAndGate(app, "prd", hostile));
        _s.Record(app, "dev", hotfix).EnsureOk();
        Assert.Equal((true, "promoted", null), CheckAndGate(app, "stg", hotfix));
    }

    [Fact]
    public void Status_audit_doctor_prune_and_history_match_their_schemas_and_escape_what_a_pusher_wrote()
    {
        var app = Scenario(out var hostile, out var hotfix);

        var status = Conforming("status", _s.Promote(app, "status", "--json").EnsureOk());
        var dev = status.GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "dev");
        Assert.Contains(dev.GetProperty("green").EnumerateArray(), g => g.GetProperty("subject").GetString() == HostileSubject);

        var audit = Conforming("audit", _s.Promote(app, "audit", "--json").EnsureOk());
        var kinds = audit.GetProperty("entries").EnumerateArray().Select(e =>
            (e.GetProperty("kind").GetString(), e.GetProperty("commit").GetString())).ToList();
        Assert.Contains(("revocation", hostile), kinds);
        Assert.Contains(("bypass", hotfix), kinds);

        var doctor = _s.Promote(app, "doctor", "--json");
        Assert.Equal(doctor.ExitCode == 0, Conforming("doctor", doctor).GetProperty("ok").GetBoolean());

        var prune = Conforming("prune", _s.Promote(app, "prune", "stg", "--keep", "0", "--older-than", "0s", "--dry-run", "--json").EnsureOk());
        Assert.Equal(prune.GetProperty("records").GetInt32(), prune.GetProperty("delete").GetArrayLength() + prune.GetProperty("kept").GetInt32());
        Assert.Equal(prune.GetProperty("kept").GetInt32(), prune.GetProperty("keptBecause").EnumerateObject().Sum(p => p.Value.GetInt32()));

        var history = Conforming("history", _s.Promote(app, "history", "--json").EnsureOk());
        var stgLane = history.GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "stg");
        Assert.Contains(stgLane.GetProperty("deployments").EnumerateArray(), d => d.GetProperty("subject").GetString() == HostileSubject);
    }

    [Fact]
    public void A_real_check_output_with_the_engines_enum_name_for_its_reason_is_rejected_by_the_schema()
    {
        var app = _s.Project();
        var json = _s.Promote(app, "check", "stg", "--json").EnsureExit(1).Stdout.TrimEnd('\n');
        PublishedSchemas.AssertConforms("check", json);

        var violations = PublishedSchemas.Violations("check", json.Replace("\"reason\":\"not-green\"", "\"reason\":\"NotGreen\""));

        Assert.Contains(violations, v => v.StartsWith("/reason", StringComparison.Ordinal));
    }
}
