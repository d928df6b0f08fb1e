using System.Globalization;
using System.Text.RegularExpressions;
using GitPromote.TestSupport;

namespace GitPromote.IntegrationTests;

/// <summary>
/// The client and the server guard decide alike: every case of one table is set up twice, once where stg.git is guarded
/// by the clone's pre-push hook and once where stg.git itself is guarded by its pre-receive hook (pushed to with
/// <c>--no-verify</c>), then pushed once to each. Both must allow or refuse it, for the same reason, and leave stg where
/// the verdict says.
/// </summary>
/// <remarks>
/// Left out because the two sides are not given the same push: approvals (the client knows the pusher by its git
/// identity, the server only by what the hosting names it), unreadable evidence (the client reads dev through the clone's
/// remote, the server through promote.remote.dev, and each names its own setting), pushes to a URL spelled another way
/// (only the client routes by URL), edits of refs/promote/* records (judged only by the server), and a policy changed by
/// the push itself (the client reads its work tree, the server the deploy branch before the push, on purpose).
/// </remarks>
[Collection(InstalledCollection.Name)]
public sealed class HookEquivalenceTests(InstalledGitPromote installed)
{
    private const string GoodJustification = "INC-12: db failover, hotfix approved";

    public enum Side { Client, Server }

    /// <summary>What a side did with a push: whether stg took it, and the guard's headline about main, ids as &lt;commit&gt;.</summary>
    public sealed record Outcome(bool Allowed, string Reason);

    /// <summary>What a case pushes: one refspec to stg, with a bypass justification or none.</summary>
    private sealed record Push(string Refspec, string? Bypass = null);

    private sealed record Case(Func<GuardedStg, Push> Arrange, Outcome Expected, Func<string, string>? Policy = null);

    private static Outcome Allowed(string reason) => new(true, reason);
    private static Outcome Blocked(string reason) => new(false, reason);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["green in dev"] = new(
            stg => new Push($"{stg.GreenInDev("feature")}:refs/heads/main"),
            Allowed("ok stg/main <- <commit>: green in dev")),
        ["not green in dev"] = new(
            stg => new Push($"{stg.Commit("untested")}:refs/heads/main"),
            Blocked("<commit> is not green in dev (order)")),
        ["revoked in dev"] = new(
            stg =>
            {
                var bad = stg.GreenInDev("bad migration");
                stg.Revoke("dev", bad);
                return new Push($"{bad}:refs/heads/main");
            },
            // A commit revoked in dev is not green there either.
            Blocked("<commit> may not go to stg (order, revocation)")),
        ["rollback to a commit green in stg before"] = new(
            stg => new Push($"+{stg.ReleasedTwice().V1}:refs/heads/main"),
            Allowed("rollback stg/main <- <commit>: green in stg before (rollback: previously-green)")),
        ["forward again after a rollback"] = new(
            stg =>
            {
                var (v1, v2) = stg.ReleasedTwice();
                stg.Push(new Push($"+{v1}:refs/heads/main")).EnsureOk();
                return new Push($"{v2}:refs/heads/main");
            },
            Allowed("ok stg/main <- <commit>: green in dev")),
        ["rollback to a commit revoked in stg"] = new(
            stg =>
            {
                var v1 = stg.ReleasedTwice().V1;
                stg.Revoke("stg", v1);
                return new Push($"+{v1}:refs/heads/main");
            },
            Blocked("<commit> may not go to stg (revocation)")),
        ["soak in dev not met"] = new(
            stg => new Push($"{stg.GreenInDev("fresh")}:refs/heads/main"),
            Blocked("<commit> may not go to stg (soak)"),
            policy => With(policy, "dev", "soak: 2h")),
        ["stg frozen"] = new(
            stg => new Push($"{stg.GreenInDev("feature")}:refs/heads/main"),
            Blocked("<commit> may not go to stg (freeze)"),
            policy => With(policy, "stg", "freeze:",
                $"  - {{from: {Utc(DateTimeOffset.UtcNow.AddHours(-1))}, to: {Utc(DateTimeOffset.UtcNow.AddHours(1))}, reason: release train}}")),
        ["deleting the deploy branch"] = new(
            _ => new Push(":refs/heads/main"),
            Blocked("deleting the deploy branch 'main' of stg is not allowed")),
        ["bypass with a justification that matches"] = new(
            stg => new Push($"{stg.Commit("hotfix")}:refs/heads/main", GoodJustification),
            Allowed("BYPASS stg/main <- <commit>")),
        ["bypass with a justification that does not match"] = new(
            stg => new Push($"{stg.Commit("hotfix")}:refs/heads/main", "urgent"),
            Blocked("the bypass justification does not match the policy's pattern ^[A-Z]+-[0-9]+: .{10,}")),
        ["tag push of an untested commit"] = new(
            stg => new Push($"{stg.Commit("untested")}:refs/tags/v1"),
            Allowed("(nothing said: not a deploy branch)")),
        ["feature branch push of an untested commit"] = new(
            stg => new Push($"{stg.Commit("untested")}:refs/heads/feature"),
            Allowed("(nothing said: not a deploy branch)")),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Client_and_server_guards_reach_the_same_verdict(string name)
    {
        var c = Cases[name];

        var sides = await Task.WhenAll(Task.Run(() => Decide(Side.Client, c)), Task.Run(() => Decide(Side.Server, c)));
        var (client, server) = (sides[0], sides[1]);

        Assert.Equal(client, server);
        Assert.Equal(c.Expected, client);
    }

    /// <summary>Sets the case up on one side, pushes, and checks stg's main moved exactly when the push was allowed.</summary>
    private Outcome Decide(Side side, Case c)
    {
        using var stg = new GuardedStg(installed, side, (c.Policy ?? (p => p))(TestPolicies.StandardYaml));
        var push = c.Arrange(stg);
        var before = stg.Tip;

        var run = stg.Push(push);

        var outcome = new Outcome(run.ExitCode == 0, Reason(run, side));
        var target = push.Refspec.TrimStart('+').Split(':');
        if (target[1] == "refs/heads/main")
            Assert.True((outcome.Allowed ? target[0] : before) == stg.Tip, $"{side}: stg main is not where the verdict says\n{run.Output}");
        return outcome;
    }

    /// <summary>
    /// The guard's headline about refs/heads/main, as both sides print it (the server's lines come as <c>remote:</c>),
    /// with object ids as &lt;commit&gt; and what only one side can say (where evidence was found, the pusher's name) cut.
    /// </summary>
    private static string Reason(Run run, Side side)
    {
        var lines = run.Stderr.Split('\n')
            .Select(l => side == Side.Server && l.StartsWith("remote: ", StringComparison.Ordinal) ? l["remote: ".Length..] : l)
            .Select(l => Regex.Replace(l.TrimEnd(), "\\b[0-9a-f]{12}\\b", "<commit>"))
            .ToList();
        if (lines.FirstOrDefault(l => l.StartsWith("git-promote: ok ", StringComparison.Ordinal)) is { } ok)
            return Regex.Replace(ok["git-promote: ".Length..], " \\(.*\\)$", "");
        if (lines.FirstOrDefault(l => l.StartsWith("git-promote: rollback ", StringComparison.Ordinal)) is { } rollback)
            return rollback["git-promote: ".Length..];
        if (lines.FirstOrDefault(l => l.StartsWith("git-promote: BYPASS ", StringComparison.Ordinal)) is { } bypass)
            return Regex.Replace(bypass["git-promote: ".Length..], " by .*$", "");
        if (lines.FirstOrDefault(l => l.StartsWith("  refs/heads/main: ", StringComparison.Ordinal)) is { } refused)
            return refused["  refs/heads/main: ".Length..];
        if (run.ExitCode == 0 && !lines.Any(l => l.Contains("git-promote", StringComparison.Ordinal)))
            return "(nothing said: not a deploy branch)";
        return $"(unexpected, exit {run.ExitCode}) " + run.Stderr;
    }

    /// <summary><paramref name="policy"/> with <paramref name="lines"/> added to environment <paramref name="env"/>, after its remotes.</summary>
    private static string With(string policy, string env, params string[] lines) =>
        policy.Replace($"    remotes: [{env}]\n", $"    remotes: [{env}]\n" + string.Concat(lines.Select(l => "    " + l + "\n")));

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A clone and its stg.git (main seeded with the clone's first commit, which holds the policy), guarded on one side only:
    /// by the clone's pre-push hook (stg.git is a plain bare repository) or by stg.git's pre-receive hook (the clone pushes
    /// with --no-verify). dev is the first environment, unguarded, on both sides.
    /// </summary>
    private sealed class GuardedStg : IDisposable
    {
        /// <summary>The account promote.recorders names on the server; harmless on the client.</summary>
        private static readonly Dictionary<string, string?> AsPipeline = new() { ["GL_USER"] = "pipeline" };

        private readonly Sandbox _s;
        private readonly Side _side;
        private readonly string _app;

        public GuardedStg(InstalledGitPromote installed, Side side, string policy)
        {
            _s = new Sandbox(installed);
            _side = side;
            if (side == Side.Server)
            {
                _app = _s.GuardedStgServer(policy);
            }
            else
            {
                _app = _s.Project(policy);
                _s.Git(_app, "push", "--quiet", "--no-verify", "stg", "main").EnsureOk();
            }
        }

        public string Tip => _s.RemoteRef(Path.Combine(_s.Root, "stg.git"), "refs/heads/main");

        public string Commit(string message) => _s.Commit(_app, message);

        public string GreenInDev(string message) => _s.GreenInDev(_app, message);

        public void Revoke(string env, string commit) => _s.Promote(_app, "revoke", env, commit, "--reason", "broke checkout").EnsureOk();

        /// <summary>v1 then v2 promoted to stg through the guard and each recorded green there: stg's main is at v2.</summary>
        public (string V1, string V2) ReleasedTwice()
        {
            var v1 = GreenInDev("v1");
            Push(new Push($"{v1}:refs/heads/main")).EnsureOk();
            _s.Exec(_app, _s.Installed.BinaryPath, ["record", "stg", v1], env: AsPipeline).EnsureOk();
            var v2 = GreenInDev("v2");
            Push(new Push($"{v2}:refs/heads/main")).EnsureOk();
            _s.Exec(_app, _s.Installed.BinaryPath, ["record", "stg", v2], env: AsPipeline).EnsureOk();
            return (v1, v2);
        }

        /// <summary>The push, as each side asks for a bypass: PROMOTE_BYPASS to the client hook, a push option to the server.</summary>
        public Run Push(Push push) => _side == Side.Client
            ? _s.Exec(_app, "git", ["push", "stg", push.Refspec], env: push.Bypass is null ? null : new Dictionary<string,
            string?>
            { ["PROMOTE_BYPASS"] = push.Bypass })
            : _s.Exec(_app, "git", ["push", "--no-verify", .. push.Bypass is null ? Array.Empty<string>() : ["-o", $"promote.bypass={push.Bypass}"], "stg",
            push.Refspec]);

        public void Dispose() => _s.Dispose();
    }
}
