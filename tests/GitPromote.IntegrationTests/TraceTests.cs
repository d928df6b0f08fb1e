using System.Text.RegularExpressions;

namespace GitPromote.IntegrationTests;

/// <summary>
/// PROMOTE_TRACE=1, with the installed binary: a line on stderr for every git process git-promote starts and every AWS
/// request it makes, timed, and never a credential. git's processes are counted independently of git-promote: git looks
/// for itself in GIT_EXEC_PATH, so a folder that mirrors git's own with a logging <c>git</c> sees every one started by
/// git-promote (its parent process).
/// </summary>
[Collection(InstalledCollection.Name)]
public sealed partial class TraceTests : IDisposable
{
    private readonly Sandbox _s;
    private readonly AwsWorld _aws;
    private readonly string _gitLog;

    public TraceTests(InstalledGitPromote installed)
    {
        _s = new Sandbox(installed);
        _aws = new AwsWorld(_s);
        _gitLog = Path.Combine(_s.Root, "git-started-by-git-promote.log");
    }

    public void Dispose()
    {
        _aws.Dispose();
        _s.Dispose();
    }

    /// <summary>GIT_EXEC_PATH: git's own folder, but its <c>git</c> first logs the arguments of each one git-promote starts.</summary>
    private void CountGitProcesses()
    {
        var real = _s.Git(_s.Root, "--exec-path").EnsureOk().Stdout.Trim();
        var exec = Path.Combine(_s.Root, "exec-path");
        Directory.CreateDirectory(exec);
        foreach (var entry in Directory.EnumerateFileSystemEntries(real))
        {
            if (Path.GetFileName(entry) != "git") File.CreateSymbolicLink(Path.Combine(exec, Path.GetFileName(entry)), entry);
        }
        Sandbox.WriteScript(Path.Combine(exec, "git"), $$"""
            #!/bin/sh
            [ "$(cat /proc/$PPID/comm 2>/dev/null)" = git-promote ] && printf '%s\n' "git $*" >> '{{_gitLog}}'
            exec '{{real}}/git' "$@"

            """);
        _s.Environment["GIT_EXEC_PATH"] = exec;
    }

    private List<string> GitStartedByGitPromote() => File.Exists(_gitLog) ? File.ReadAllLines(_gitLog).ToList() : [];

    /// <summary>The trace lines of <paramref name="stderr"/> (a server's come prefixed with "remote: ") as (what, outcome).</summary>
    private static List<(string What, string Outcome)> TraceLines(string stderr) =>
        stderr.Split('\n').Select(l => TraceLine().Match(l.TrimEnd('\r'))).Where(m => m.Success)
            .Select(m => (m.Groups["what"].Value, m.Groups["outcome"].Value)).ToList();

    /// <summary>
    /// A clone whose HEAD is green in stg, proven by SSM or by git refs on stg's remote, so that a push to prd asks both;
    /// git processes counted and moto's requests counted from here on.
    /// </summary>
    private (string App, string Green) GreenInStg()
    {
        var app = _s.Project(_aws.Policy(stgEvidence: "- ssm: {}\n- git: {}"));
        var green = _s.Git(app, "rev-parse", "HEAD").EnsureOk().Stdout.Trim();
        _s.Record(app, "stg", green).EnsureOk();
        CountGitProcesses();
        _aws.Requests.Reset();
        return (app, green);
    }

    [Fact]
    public void A_guarded_push_with_PROMOTE_TRACE_prints_a_timed_line_for_each_git_process_and_each_SSM_call()
    {
        var (app, green) = GreenInStg();
        _s.Environment["PROMOTE_TRACE"] = "1";

        var push = _s.Git(app, "push", "prd", $"{green}:refs/heads/main").EnsureOk();

        var lines = TraceLines(push.Stderr);
        var git = lines.Where(l => l.What.StartsWith("git ", StringComparison.Ordinal)).ToList();
        var aws = lines.Where(l => l.What.StartsWith("aws ", StringComparison.Ordinal)).ToList();
        Assert.Equal(lines.Count, git.Count + aws.Count);
        // Every git process, by its arguments (a trace line shows at most 300 characters of them).
        var started = GitStartedByGitPromote();
        Assert.NotEmpty(started);
        Assert.Equal(started.Select(Shown).Order(), git.Select(l => l.What).Order());
        Assert.All(git, l => Assert.Matches(@"^exit \d+$", l.Outcome));
        // Every request that reached moto, each named by service, operation and region.
        Assert.True(_aws.Requests.Total > 0);
        Assert.Equal(_aws.Requests.Total, aws.Count);
        Assert.Equal(_aws.Requests["GetParameters"], aws.Count(l => l.What == $"aws ssm GetParameters {AwsWorld.Region}"));
        Assert.All(aws, l => Assert.Equal("status 200", l.Outcome));
        Assert.Contains($"ok prd/main <- {green[..12]}: green in stg", push.Stderr);
    }

    [Fact]
    public void Without_PROMOTE_TRACE_the_same_push_prints_no_trace_line()
    {
        var (app, green) = GreenInStg();

        var push = _s.Git(app, "push", "prd", $"{green}:refs/heads/main").EnsureOk();

        Assert.NotEmpty(GitStartedByGitPromote());
        Assert.True(_aws.Requests.Total > 0);
        Assert.DoesNotContain("trace:", push.Output);
    }

    [Fact]
    public void A_credential_in_a_remote_url_never_appears_in_a_trace_line()
    {
        const string token = "s3cr3t-t0ken-4711";
        var app = _s.GuardedStgServer();
        var stg = Path.Combine(_s.Root, "stg.git");
        var green = _s.GreenInDev(app, "tested");
        // The server reads dev's evidence from this URL: git-promote hands it to git as it is, token and all.
        _s.Git(stg, "config", "promote.remote.dev", $"https://ci-bot:{token}@127.0.0.1:9/orders-dev.git").EnsureOk();
        _s.Environment["PROMOTE_TRACE"] = "1";

        var push = _s.Git(app, "push", "--no-verify", "stg", $"{green}:refs/heads/main");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains(TraceLines(push.Stderr), l => l.What.StartsWith("git ", StringComparison.Ordinal)
            && l.What.Contains("https://127.0.0.1:9/orders-dev.git", StringComparison.Ordinal));
        Assert.DoesNotContain(token, push.Output);
        Assert.DoesNotContain("ci-bot", push.Output);
    }

    [Fact]
    public void A_guarded_push_fetches_each_environments_records_once_though_they_are_asked_for_ahead_of_the_peel()
    {
        var app = _s.Project();
        var green = _s.GreenInDev(app, "tested");
        CountGitProcesses();

        var push = _s.Git(app, "push", "stg", $"{green}:refs/heads/main").EnsureOk();

        Assert.Contains($"ok stg/main <- {green[..12]}: green in dev", push.Stderr);
        // The read ahead (started while libgit2 peels the pushed id) and the gate's own read are one fetch per remote.
        var fetches = GitStartedByGitPromote().Where(c => c.Contains(" fetch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, fetches.Count);
        Assert.Single(fetches, f => f.Contains($" dev +refs/promote/green/{green}*", StringComparison.Ordinal));
        Assert.Single(fetches, f => f.Contains($" stg +refs/promote/revoked/{green}*", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pushed_tag_is_judged_by_its_commit_when_the_read_ahead_guessed_the_tags_own_id()
    {
        var app = _s.Project();
        var green = _s.GreenInDev(app, "tested");
        _s.Git(app, "tag", "-a", "-m", "release 1", "v1", green).EnsureOk();
        var tag = _s.Git(app, "rev-parse", "v1").EnsureOk().Stdout.Trim();
        CountGitProcesses();

        // The hook is handed the tag's id: the read ahead asks about it, the gate about the commit it peels to. (The
        // bare repository then refuses a tag object on a branch; the guard's verdict comes before.)
        var push = _s.Git(app, "push", "stg", $"{tag}:refs/heads/main");

        Assert.Contains($"ok stg/main <- {green[..12]}: green in dev", push.Stderr);
        var fetches = GitStartedByGitPromote().Where(c => c.Contains(" fetch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, fetches.Count(f => f.Contains(tag, StringComparison.Ordinal)));
        Assert.Equal(2, fetches.Count(f => f.Contains(green, StringComparison.Ordinal)));
        Assert.DoesNotContain("cannot lock ref", push.Output);
    }

    /// <summary>What a trace line shows of a command: at most 300 characters, then "...".</summary>
    private static string Shown(string command) => command.Length <= 300 ? command : command[..300] + "...";

    [GeneratedRegex(@"^(?:remote: )?git-promote: trace: (?<what>.+): (?<ms>\d+) ms, (?<outcome>[^,]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex TraceLine();
}
