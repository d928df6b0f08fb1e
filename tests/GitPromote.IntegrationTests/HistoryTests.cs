using System.Text.Json;
using GitPromote.Core.Evidence;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// <c>git promote history</c> with the installed binary over real records: the scenario of docs/history.md, recorded at
/// fixed times with Debian's <c>faketime</c> around the published binary (commits dated with GIT_COMMITTER_DATE), checked
/// to the second as JSON, and its page opened in headless Chromium.
/// </summary>
[Collection(InstalledCollection.Name)]
[Trait("Needs", "faketime")]
public sealed class HistoryTests(InstalledGitPromote installed) : IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private const string Window = "--since=2026-03-02T00:00:00Z";
    private const string WindowEnd = "--until=2026-03-09T00:00:00Z";
    private const string PlantedSubject = "c6: fix checkout \"><img src=x onerror=\"document.body.setAttribute('data-pwned','subject')\">";
    private const string PlantedJustification = "INC-7: checkout down <script>document.body.setAttribute('data-pwned','justification')</script>";

    private readonly Sandbox _s = new(installed);

    public void Dispose() => _s.Dispose();

    private static DateTimeOffset At(int hours, int minutes = 0, int seconds = 0) => T + new TimeSpan(hours, minutes, seconds);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs the binary (or git, whose hooks run it) with the clock at <paramref name="at"/>.</summary>
    private Run At(DateTimeOffset at, string dir, string program, IEnumerable<string> args, IDictionary<string, string?>? env = null)
    {
        // '@' starts the clock at that very second and lets it tick; monotonic time stays real, so every deadline still fires.
        var all = new Dictionary<string, string?> { ["TZ"] = "UTC", ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
        if (env is not null) foreach (var (k, v) in env) all[k] = v;
        return _s.Exec(dir, "faketime", ["-f", "@" + Stamp(at), program, .. args], env: all);
    }

    private Run Record(string app, DateTimeOffset at, string env, string commit) =>
        At(at, app, installed.BinaryPath, ["record", env, commit], _s.AsPipelineOf(app, commit)).EnsureOk();

    private string CommitAt(string app, DateTimeOffset at, string message)
    {
        File.WriteAllText(Path.Combine(app, "app.txt"), message + "\n");
        _s.Git(app, "add", "-A").EnsureOk();
        var dated = new Dictionary<string, string?> { ["GIT_COMMITTER_DATE"] = at.ToString("O"), ["GIT_AUTHOR_DATE"] = at.ToString("O") };
        _s.Exec(app, "git", ["commit", "--quiet", "-m", message], env: dated).EnsureOk();
        return _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
    }

    private void Push(string app, string remote, string commit, params string[] flags) =>
        _s.Git(app, ["push", "--quiet", .. flags, remote, $"{commit}:refs/heads/main"]).EnsureOk();

    /// <summary>c1..c6; three forward promotions to prd, a revocation then a rollback, one bypass. Returns the clone and c1..c6.</summary>
    private (string App, string[] C) Scenario()
    {
        var app = _s.Project();
        // The project's first commit becomes c1, dated like the others.
        var dated = new Dictionary<string, string?> { ["GIT_COMMITTER_DATE"] = At(0).ToString("O"), ["GIT_AUTHOR_DATE"] = At(0).ToString("O") };
        _s.Exec(app, "git", ["commit", "--quiet", "--amend", "-m", "c1: first"], env: dated).EnsureOk();
        var c1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var c2 = CommitAt(app, At(1, 30), "c2: <script>document.body.setAttribute('data-pwned','c2')</script>");
        foreach (var (env, hours) in new[] { ("dev", 2), ("stg", 3), ("prd", 4) })
        {
            Push(app, env, c2);
            Record(app, At(hours), env, c2);
        }
        var c3 = CommitAt(app, At(24), "c3: orders");
        var c4 = CommitAt(app, At(25, 10), "c4: payments");
        foreach (var (env, hours) in new[] { ("dev", 26), ("stg", 27), ("prd", 28) })
        {
            Push(app, env, c4);
            Record(app, At(hours), env, c4);
        }
        At(At(29), app, installed.BinaryPath, ["revoke", "prd", c4, "--reason", "INC-6: orders lost"]).EnsureOk();
        Push(app, "prd", c2, "-f");
        Assert.Contains($"recorded: a deployment of {c2[..12]} to prd (rollback)", Record(app, At(30, 15, 30), "prd", c2).Stdout);
        var c5 = CommitAt(app, At(48), "c5: fix orders");
        Push(app, "dev", c5);
        Record(app, At(49), "dev", c5);
        Push(app, "stg", c5);
        Record(app, At(50), "stg", c5);
        Push(app, "prd", c5);
        Record(app, At(52, 20), "prd", c5);
        var c6 = CommitAt(app, At(72), PlantedSubject);
        Push(app, "dev", c6);
        Record(app, At(73), "dev", c6);
        At(At(74), app, "git", ["push", "--quiet", "prd", $"{c6}:refs/heads/main"], new Dictionary<string,
            string?>
        { ["PROMOTE_BYPASS"] = PlantedJustification }).EnsureOk();
        Assert.Contains($"recorded: a deployment of {c6[..12]} to prd (bypass)", Record(app, At(74, 5, 7), "prd", c6).Stdout);
        return (app, [c1, c2, c3, c4, c5, c6]);
    }

    [Fact]
    public void Of_two_deployments_in_one_second_the_later_by_the_millisecond_is_the_last_so_the_earlier_commit_again_is_a_rollback()
    {
        var app = _s.Project();
        var one = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        var two = _s.Commit(app, "second");
        // The names of both events say the same second, and sorted by name the commit deployed first comes last:
        // only the bodies' milliseconds say which was deployed last.
        var (first, last) = string.CompareOrdinal(one, two) > 0 ? (one, two) : (two, one);
        var prd = Path.Combine(_s.Root, "prd.git");
        _s.Git(app, "push", "--quiet", "--no-verify", "prd", $"{two}:refs/heads/work").EnsureOk();
        foreach (var (commit, millisecond) in new[] { (first, 100), (last, 900) })
        {
            var deployment = new DeploymentEvent("prd", commit, At(4).AddMilliseconds(millisecond), new Identity("pipeline", ""), DeploymentKind.Forward);
            _s.Git(prd, "tag", "-a", "-m", RecordJson.DeploymentBody(deployment), "event", commit).EnsureOk();
            _s.Git(prd, "update-ref", RecordRefs.DeployPrefix + DeploymentNames.Name(At(4), commit, "ab12"), "refs/tags/event").EnsureOk();
            _s.Git(prd, "tag", "-d", "event").EnsureOk();
        }

        var record = Record(app, At(5), "prd", first);

        Assert.True(record.Stdout.Contains($"recorded: a deployment of {first[..12]} to prd (rollback)", StringComparison.Ordinal), record.Stdout);
    }

    [Fact]
    public void The_scenario_recorded_at_fixed_times_gives_its_figures_and_lead_times_to_the_second_as_json()
    {
        var (app, c) = Scenario();

        var run = _s.Promote(app, "history", Window, WindowEnd, "--json").EnsureOk();

        PublishedSchemas.AssertConforms("history", run.Stdout.TrimEnd('\n'));
        using var json = JsonDocument.Parse(run.Stdout);
        var f = json.RootElement.GetProperty("figures");
        Assert.Equal("prd", f.GetProperty("environment").GetString());
        Assert.Equal(5, f.GetProperty("deployments").GetInt32());
        Assert.Equal(5.0 / 7, f.GetProperty("perDay").GetDouble(), 5);
        Assert.Equal(5.0, f.GetProperty("perWeek").GetDouble(), 9);
        Assert.Equal(6, f.GetProperty("leadTime").GetProperty("commits").GetInt32());
        // Interpolated (PERCENTILE_CONT) over 2h5m7s, 2h30m, 2h50m, 4h, 4h, 4h20m: the median halfway from 2h50m to 4h, p90 halfway
        // from 4h to 4h20m (docs/history.md).
        Assert.Equal(3 * 3600 + 25 * 60, f.GetProperty("leadTime").GetProperty("medianSeconds").GetInt64());
        Assert.Equal(4 * 3600 + 10 * 60, f.GetProperty("leadTime").GetProperty("p90Seconds").GetInt64());
        Assert.Equal(4, f.GetProperty("changeFailureRate").GetProperty("forward").GetInt32());
        Assert.Equal(1, f.GetProperty("changeFailureRate").GetProperty("failed").GetInt32());
        Assert.Equal(0.25, f.GetProperty("changeFailureRate").GetProperty("rate").GetDouble());
        Assert.Equal(2 * 3600 + 15 * 60 + 30, f.GetProperty("timeToRestore").GetProperty("medianSeconds").GetInt64());

        var leads = json.RootElement.GetProperty("leadTimes").EnumerateArray()
            .Select(l => (l.GetProperty("commit").GetString(), l.GetProperty("seconds").GetInt64())).ToList();
        Assert.Equal(
        [
            (c[0], 4 * 3600L), (c[1], 2 * 3600 + 30 * 60L), (c[2], 4 * 3600L), (c[3], 2 * 3600 + 50 * 60L), (c[4], 4 * 3600 + 20 * 60L),
                (c[5], 2 * 3600 + 5 * 60 + 7L),
        ], leads);

        var prd = json.RootElement.GetProperty("environments")[2];
        Assert.Equal("prd", prd.GetProperty("name").GetString());
        Assert.Equal(["forward", "forward", "rollback", "forward", "bypass"],
            prd.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("kind").GetString()).ToList());
        Assert.Equal(["2026-03-02T04:00:00Z", "2026-03-03T04:00:00Z", "2026-03-03T06:15:30Z", "2026-03-04T04:20:00Z", "2026-03-05T02:05:07Z"],
            prd.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("at").GetString()).ToList());
        Assert.Equal("INC-6: orders lost", prd.GetProperty("deployments")[1].GetProperty("revoked").GetProperty("reason").GetString());
        Assert.Equal(PlantedJustification, prd.GetProperty("deployments")[4].GetProperty("bypass").GetProperty("justification").GetString());
        Assert.Equal(PlantedSubject, prd.GetProperty("deployments")[4].GetProperty("subject").GetString());

        // The same history in the terminal: figures on top, lanes below.
        var text = _s.Promote(app, "history", Window, WindowEnd).EnsureOk().Stdout;
        Assert.Contains("lead time for changes  3h25m median  (p90 4h10m, over 6 commits)", text);
        Assert.Contains("change failure rate    25%  (1 of 4 forward deployments failed)", text);
        Assert.Contains("time to restore        2h15m30s median  (1 of 1 failure restored)", text);
        Assert.Contains("2026-03-03 06:15:30Z  rollback", text);
    }

    [Fact]
    [Trait("Needs", "chromium")]
    public void The_page_opened_in_headless_chromium_shows_lanes_figures_and_the_bypass_table_and_runs_no_planted_markup()
    {
        var (app, _) = Scenario();
        var page = Path.Combine(_s.Root, "history.html");

        _s.Promote(app, "history", Window, WindowEnd, "--html", page).EnsureOk();
        var dom = Chromium.DumpDom(_s, page);

        foreach (var env in new[] { "dev", "stg", "prd" })
            Assert.Contains($"<g class=\"lane\" data-environment=\"{env}\">", dom);
        Assert.Equal(5 + 3 + 4, Count(dom, "<g class=\"deployment\""));
        Assert.Contains("<div class=\"value\">0.71 a day</div>", dom);
        Assert.Contains("<div class=\"value\">3h25m median</div>", dom);
        Assert.Contains("<div class=\"value\">25%</div>", dom);
        Assert.Contains("<div class=\"value\">2h15m30s median</div>", dom);
        Assert.Contains("<tr class=\"bypass\">", dom);
        Assert.Contains("<tr class=\"revocation\">", dom);
        // Nothing planted ran or became an element; it all shows as text.
        Assert.DoesNotContain("data-pwned", dom.Replace("setAttribute('data-pwned'", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("<img", dom);
        Assert.DoesNotContain("<script", dom);
        Assert.Contains("<td class=\"justification\">INC-7: checkout down " +
            "&lt;script&gt;document.body.setAttribute('data-pwned','justification')&lt;/script&gt;</td>", dom);
        Assert.Contains("c6: fix checkout \"&gt;&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','subject')\"&gt;", dom);
        Assert.Contains("c2: &lt;script&gt;", dom);
    }

    [Fact]
    public void An_environment_whose_store_cannot_be_read_leaves_a_partial_history_that_names_the_missing_lane_and_exits_0()
    {
        var app = _s.Project();
        var c1 = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        foreach (var env in new[] { "dev", "stg", "prd" })
        {
            Push(app, env, c1);
            _s.Record(app, env, c1).EnsureOk();
        }
        _s.Git(app, "remote", "set-url", "stg", Path.Combine(_s.Root, "gone.git")).EnsureOk();

        var text = _s.Promote(app, "history").EnsureOk();
        var json = _s.Promote(app, "history", "--json").EnsureOk();

        Assert.Matches(@"\nstg  missing: .*gone\.git", text.Stdout);
        Assert.Contains("note: stg: missing from this history, its store could not be read", text.Stdout);
        Assert.Contains("DORA figures for prd:", text.Stdout);
        PublishedSchemas.AssertConforms("history", json.Stdout.TrimEnd('\n'));
        using var doc = JsonDocument.Parse(json.Stdout);
        var lanes = doc.RootElement.GetProperty("environments");
        Assert.Null(lanes[0].GetProperty("missing").GetString());
        Assert.Contains("gone.git", lanes[1].GetProperty("missing").GetString());
        Assert.Equal(1, lanes[2].GetProperty("deployments").GetArrayLength());
        Assert.Equal(1, doc.RootElement.GetProperty("figures").GetProperty("deployments").GetInt32());
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}

/// <summary>Debian's chromium, headless, as a reader of a page from disk: what the DOM is once the page has loaded.</summary>
internal static class Chromium
{
    public static string DumpDom(Sandbox s, string page)
    {
        var profile = Path.Combine(s.Root, "chromium-profile");
        var run = s.Exec(s.Root, "chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", $"--user-data-dir={profile}", "--dump-dom", new Uri(page).AbsoluteUri,
        ], env: new Dictionary<string, string?> { ["HOME"] = s.Home }, timeout: TimeSpan.FromSeconds(90));
        Assert.True(run.ExitCode == 0 && run.Stdout.Contains("</html>", StringComparison.Ordinal), $"chromium did not load {page}: {run.Stderr}");
        return run.Stdout;
    }
}
