using System.Text.Json;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// What a pusher or a commit author controls (subjects, justifications, names, URLs) reaches terminals only through
/// the output boundary: no terminal controls, no forged lines, no credentials; and printed commands run as printed.
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed class HostileOutputTests(InstalledGitPromote installed) : IDisposable
{
    // Retitles the terminal, rings, erases the line, then starts a new line that looks like an approval.
    private const string Forgery = "fix\u001b]0;pwned\u0007\u001b[2K\rgit-promote: ok prd/main <- forged";
    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private static void AssertNoTerminalControls(string output)
    {
        foreach (var c in output)
            Assert.False(char.IsControl(c) && c is not '\n', $"control character U+{(int)c:X4} reached the terminal:\n{output}");
    }

    private static void AssertNoForgedLine(string output) =>
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("git-promote: ok prd/main", StringComparison.Ordinal)
            || line.StartsWith("remote: git-promote: ok prd/main", StringComparison.Ordinal));

    [Fact]
    public void Commit_subject_with_terminal_controls_is_neutralised_in_refusals_and_status()
    {
        var app = _s.Project();
        _s.Git(app, "commit", "--quiet", "--allow-empty", "-m", Forgery).EnsureOk();
        var hostile = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", hostile).EnsureOk();
        _s.Commit(app, "not green");
        _s.Git(app, "push", "dev", "main").EnsureOk();

        var refused = _s.Git(app, "push", "stg", "main");
        var status = _s.Promote(app, "status").EnsureOk();

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("push to stg refused", refused.Stderr);
        Assert.Contains(hostile[..12], refused.Stderr);
        AssertNoTerminalControls(refused.Output);
        AssertNoTerminalControls(status.Output);
        AssertNoForgedLine(refused.Output + status.Output);
    }

    [Fact]
    public void Status_json_escapes_a_hostile_subject_and_keeps_it_exact()
    {
        var app = _s.Project();
        _s.Git(app, "commit", "--quiet", "--allow-empty", "-m", Forgery + "\u009b31m").EnsureOk();
        var hostile = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", hostile).EnsureOk();

        var json = _s.Promote(app, "status", "--json").EnsureOk();

        AssertNoTerminalControls(json.Stdout.TrimEnd('\n'));
        var subjects = new List<string>();
        void Collect(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "subject" && p.Value.ValueKind == JsonValueKind.String) subjects.Add(p.Value.GetString()!);
                    else Collect(p.Value);
                }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray()) Collect(item);
        }
        using (var doc = JsonDocument.Parse(json.Stdout)) Collect(doc.RootElement);
        Assert.Contains(Forgery + "\u009b31m", subjects);
    }

    [Fact]
    public void Bypass_justification_and_pusher_name_cannot_forge_lines_and_are_stored_bounded()
    {
        var app = _s.Project();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        var justification = "INC-7: db failover, approved by on-call\n" + Forgery + new string('x', 5000);

        var push = _s.Exec(app, "git", ["push", "stg", "main"], env: new Dictionary<string, string?>
        {
            ["PROMOTE_BYPASS"] = justification,
            ["GIT_COMMITTER_NAME"] = "Mallory\u001b]0;owned\u0007",
        }).EnsureOk();
        var audit = _s.Promote(app, "audit", "stg").EnsureOk();
        var json = _s.Promote(app, "audit", "stg", "--json").EnsureOk();

        Assert.Contains("BYPASS stg/main", push.Stderr);
        AssertNoTerminalControls(push.Output);
        AssertNoTerminalControls(audit.Output);
        AssertNoForgedLine(push.Output + audit.Output);
        using var doc = JsonDocument.Parse(json.Stdout);
        var stored = doc.RootElement.GetProperty("entries").EnumerateArray().Single().GetProperty("justification").GetString()!;
        Assert.StartsWith("INC-7: db failover, approved by on-call ", stored);
        Assert.True(stored.Length <= 1000, $"stored justification of {stored.Length} characters");
        Assert.DoesNotContain(stored, char.IsControl);
    }

    [Fact]
    public void Credentials_in_a_pushed_url_never_appear_in_hints()
    {
        var policy = TestPolicies.StandardYaml.Replace("remotes: [stg]", "remotes: [stg, 'https://*@git.example.com/stg.git']");
        var app = _s.Project(policy);
        var secretUrl = "https://alice:TOKEN-s3cr3t@git.example.com/stg.git";
        _s.Git(app, "config", $"url.{Path.Combine(_s.Root, "stg.git")}.insteadOf", secretUrl).EnsureOk();
        var green = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", green).EnsureOk();
        _s.Git(app, "push", "stg", "main").EnsureOk();
        // A commit green in dev and ahead of stg's main, so the refusal has one to suggest (with the remote in its command).
        var next = _s.Commit(app, "green in dev, not in stg yet");
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", next).EnsureOk();
        _s.Commit(app, "not green");

        var notGreen = _s.Git(app, "push", secretUrl, "main");
        var badJustification = _s.Exec(app, "git", ["push", secretUrl, "main"], env: new Dictionary<string, string?> { ["PROMOTE_BYPASS"] = "because" });
        var deletion = _s.Git(app, "push", secretUrl, ":main");

        foreach (var run in new[] { notGreen, badJustification, deletion })
        {
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("push to stg refused", run.Stderr);
            Assert.DoesNotContain("TOKEN-s3cr3t", run.Output);
        }
        Assert.Contains("to promote the newest of them", notGreen.Stderr);
        Assert.Contains("in an emergency", notGreen.Stderr);
        Assert.Contains("e.g. PROMOTE_BYPASS=", badJustification.Stderr);
        Assert.Contains("push an older green commit instead", deletion.Stderr);
    }

    [Fact]
    public void Policy_error_about_a_remote_url_does_not_show_its_credentials()
    {
        var policy = TestPolicies.StandardYaml
            .Replace("remotes: [stg]", "remotes: ['https://bob:TOKEN-s3cr3t@h.example/x.git']")
            .Replace("remotes: [prd]", "remotes: ['https://bob:TOKEN-s3cr3t@h.example/x.git']");
        var app = _s.Project();
        File.WriteAllText(Path.Combine(app, ".promote.yml"), policy);

        var check = _s.Promote(app, "check", "stg");

        Assert.Equal(2, check.ExitCode);
        Assert.Contains("is already used by", check.Stderr);
        Assert.DoesNotContain("TOKEN-s3cr3t", check.Output);
    }

    [Fact]
    public void Printed_what_to_do_commands_run_as_printed()
    {
        var app = _s.Project();
        var green = _s.Git(app, "rev-parse", "HEAD").Stdout.Trim();
        _s.Git(app, "push", "dev", "main").EnsureOk();
        _s.Record(app, "dev", green).EnsureOk();
        _s.Commit(app, "not green");
        var dev = Path.Combine(_s.Root, "dev.git");
        var away = dev + ".away";
        Directory.Move(dev, away);

        var unreachable = _s.Git(app, "push", "stg", "main");
        Directory.Move(away, dev);
        var refused = _s.Git(app, "push", "stg", "main");

        var check = Suggested(unreachable.Stderr, "check that the remote answers: ");
        Assert.StartsWith("git ls-remote ", check);
        _s.Exec(app, "sh", ["-c", check]).EnsureOk();
        var promote = Suggested(refused.Stderr, "to promote the newest of them: ");
        Assert.Equal($"git push stg {green[..12]}:refs/heads/main", promote);
        _s.Exec(app, "sh", ["-c", promote]).EnsureOk();
        Assert.Equal(green, _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main"));
    }

    /// <summary>The command printed after <paramref name="label"/> (to the end of its line, or of its parenthesis).</summary>
    private static string Suggested(string output, string label)
    {
        var at = output.IndexOf(label, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no '{label}' in:\n{output}");
        var line = output[(at + label.Length)..].Split('\n')[0].Trim();
        return line.EndsWith(')') && !line.Contains('(') ? line[..^1] : line;
    }
}
