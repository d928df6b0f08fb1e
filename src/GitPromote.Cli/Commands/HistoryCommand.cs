using System.Globalization;
using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Output;
using GitPromote.Cli.Workspaces;
using GitPromote.Core.Evidence;
using GitPromote.Core.History;
using GitPromote.Core.Policy;
using GitPromote.Gate;
using GitPromote.Git;

namespace GitPromote.Cli.Commands;

/// <summary>
/// <c>git promote history [&lt;env&gt;...] [--since ..] [--until ..] [--json] [--html FILE]</c>: every deployment per
/// environment on one timeline, each commit's path, and the four DORA figures for the last environment shown. Lists each
/// environment's store once (events, green, bypasses, revocations); a store that cannot be read leaves its lane out and
/// says so, and the rest is still shown (exit 0). Definitions: docs/history.md.
/// </summary>
public static class HistoryCommand
{
    /// <summary>
    /// The least time the listings get: history is not on a push's path, and a store of 10,000 SSM parameters takes a
    /// thousand calls of ten to list. The policy's <c>timeout</c> applies when it is longer.
    /// </summary>
    public static readonly TimeSpan MinimumBudget = TimeSpan.FromMinutes(2);

    /// <summary>Green records read per source at most: the bound on a listing's time and memory.</summary>
    private const int MaxGreen = DeploymentNames.MaxListed;

    public static async Task<int> RunAsync(CommandContext context, CommandLine args)
    {
        if (args.Get(Options.Json) && args.Get(Options.Html) is not null) throw CommandFailedException.Usage("--json and --html are two outputs: choose one");
        var now = context.Clock.Now;
        var until = args.Get(Options.Until) is { } u ? ParseTime(u, now, Options.Until.Name) : now;
        // The default window is cut at the first time a clock can say: --until 0001-01-01T00:00:01Z has a window, not an overflow.
        var since = args.Get(Options.Since) is { } s ? ParseTime(s, now, Options.Since.Name)
            : until - DateTimeOffset.MinValue > HistoryWindow.DefaultLength ? until - HistoryWindow.DefaultLength : DateTimeOffset.MinValue;
        if (since >= until) throw CommandFailedException.Usage($"--since ({RecordJson.Time(since)}) must be before --until ({RecordJson.Time(until)})");
        var window = new HistoryWindow(since, until);

        using var workspace = Workspace.Find(context);
        var policy = workspace.RequirePolicy().Policy;
        var named = args.Positionals.Select(n => PolicySource.RequireEnvironment(policy, n)).ToHashSet();
        var environments = policy.Environments.Where(e => named.Count == 0 || named.Contains(e)).ToList();
        var gatherer = workspace.Gate.Gatherer(policy);

        var budget = policy.Timeout > MinimumBudget ? policy.Timeout : MinimumBudget;
        using var deadline = new CancellationTokenSource(budget);
        var warnings = new List<string>();
        // SSM lanes are read at once; git lanes one after another (their fetches share this repository and its libgit2 handle).
        var ssm = environments.Where(e => e.StoresInSsm).ToDictionary(e => e, e => ReadLaneAsync(gatherer, e, window, budget, deadline.Token));
        var inputs = new List<(LaneInput Lane, IReadOnlyList<string> Warnings)>();
        foreach (var env in environments)
            inputs.Add(ssm.TryGetValue(env, out var task) ? await task : await ReadLaneAsync(gatherer, env, window, budget, deadline.Token));
        foreach (var (_, laneWarnings) in inputs) warnings.AddRange(laneWarnings);
        var lanes = inputs.Select(i => i.Lane).ToList();

        var graph = await ReadGraphAsync(workspace, context.Git.Process, lanes, warnings, deadline.Token);
        var history = HistoryBuilder.Build(lanes, window, graph);
        var report = new HistoryReport(policy.Name, history, [.. warnings, .. history.Notes]);

        if (args.Get(Options.Json))
        {
            context.Console.Out.WriteLine(HistoryJson.Render(report));
        }
        else if (args.Get(Options.Html) is { } file)
        {
            var path = Path.GetFullPath(file, context.Environment.CurrentDirectory);
            UserFiles.Write(context.FileSystem, path, HistoryHtml.Render(report, now), "give --html a file in a folder you may write to");
            context.Console.Out.WriteLine(
                $"wrote {path}: {history.Lanes.Sum(l => l.Deployments.Count)} deployments in {history.Lanes.Count} environments, open it in a browser");
            foreach (var note in report.Notes) context.Console.Error.WriteLine($"git-promote: note: {note}");
        }
        else
        {
            HistoryText.Write(context.Console.Out, new Style(context.Console.ColorOnOut), report);
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// One environment's lane, read by the gate's evidence gathering (<see cref="EvidenceGatherer.ReadLaneAsync"/>), and
    /// what this history must say about it: green commits left out for want of a time, records it could not read, a
    /// listing that stopped at its bound, a lane that is a pipeline's executions only. A lane that could not be read says
    /// why, and nothing else.
    /// </summary>
    private static async Task<(LaneInput Lane, IReadOnlyList<string> Warnings)> ReadLaneAsync(EvidenceGatherer gatherer, EnvironmentPolicy env,
        HistoryWindow window, TimeSpan budget, CancellationToken deadline)
    {
        var read = await gatherer.ReadLaneAsync(env, window.Since, MaxGreen, budget, deadline);
        var lane = read.Lane;
        if (lane.Missing is not null) return (lane, []);
        var undated = lane.Green.Where(g => g.RecordedAt is null).Select(g => g.Commit).Distinct().Count();
        var warnings = new List<string>();
        if (undated > 0)
            warnings.Add($"{env.Name}: {undated} green commit(s) have no recorded time (a plain ref, or a CodePipeline execution that could not be " +
                "read) and are left out");
        // What the listing held but history could not read or did not understand is named, as the audit names it: never counted silently.
        if (read.Unreadable.Count > 0) warnings.Add(UnreadableNote(env.Name, read.Unreadable));
        if (read.BoundReached.Count > 0)
            warnings.Add($"{env.Name}: this history is incomplete, a listing stopped at its bound: {string.Join("; ", read.BoundReached.Distinct())} " +
                "(delete what is not a record there: git promote prune, git promote audit)");
        if (!read.KeepsRecords)
            warnings.Add($"{env.Name} keeps no records of its own: its lane is its CodePipeline executions, at their last update time");
        return (lane, warnings);
    }

    /// <summary>Names shown of the records history could not read; the rest are counted.</summary>
    private const int UnreadableShown = 10;

    /// <summary>
    /// e.g. <c>prd: 2 record(s) history could not read or does not understand (...) are left out of this history:
    /// .../deploy/not-an-event, ...</c>. Names are the store's (untrusted): bounded, one line.
    /// </summary>
    internal static string UnreadableNote(string environment, IReadOnlyList<string> unreadable)
    {
        var names = unreadable.Distinct(StringComparer.Ordinal).ToList();
        return $"{environment}: {names.Count} record(s) history could not read or does not understand (a name or body git-promote does not " +
            "write, a kind it does not know, a commit that is not one) are left out of this history: " +
            string.Join(", ", names.Take(UnreadableShown).Select(n => Quoting.Show(n, 200)))
            + (names.Count > UnreadableShown ? $", and {names.Count - UnreadableShown} more" : "")
            + " (git promote audit names them too)";
    }

    /// <summary>The commits every deployment reaches, for lead times and subjects: one git log over the tips this clone has.</summary>
    private static async Task<IReadOnlyDictionary<string, CommitNode>> ReadGraphAsync(Workspace workspace, GitProcess git, IReadOnlyList<LaneInput> lanes,
        List<string> warnings, CancellationToken deadline)
    {
        var tips = lanes.SelectMany(l => l.Events.Select(e => e.Commit).Concat(l.Green.Select(g => g.Commit)))
            .Select(c => c.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (tips.Count == 0) return new Dictionary<string, CommitNode>();
        var present = workspace.Repository.ResolveCommits(tips).Where(p => p.Value is not null
            && string.Equals(p.Key, p.Value, StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Value!).ToList();
        try
        {
            var graph = await CommitGraphReader.ReadAsync(workspace.GitDir, git, present, deadline);
            if (graph.Truncated)
                warnings.Add($"lead time: only the newest {CommitGraphReader.MaxCommits} commits were read; older commits count as brought by no deployment");
            return graph.Commits;
        }
        catch (Exception e) when (e is GitCommandException || Deadline.Passed(e, deadline))
        {
            warnings.Add($"lead time: the commits of this clone could not be read ({e.Message}); lead times are left out");
            return new Dictionary<string, CommitNode>();
        }
    }

    /// <summary>A date (<c>2026-03-01</c>), a time (<c>2026-03-01T12:00:00Z</c>), or a duration before now: <c>30d</c>, <c>2w</c>, <c>12h</c>.</summary>
    internal static DateTimeOffset ParseTime(string text, DateTimeOffset now, string option)
    {
        var t = text.Trim();
        if (t.Length > 1 && t[^1] is 'd' or 'w' && int.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 36500)
            return now - TimeSpan.FromDays(t[^1] == 'w' ? n * 7 : n);
        if (t.Length > 0 && char.IsAsciiDigit(t[0]) && !t.Contains('-') && DurationParser.TryParse(t, out var span) && span < TimeSpan.FromDays(36500))
            return now - span;
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            return at;
        throw CommandFailedException.Usage($"{option} '{Quoting.OneLine(t)}' is neither a date nor a duration",
            $"e.g. {option} 2026-03-01, {option} 2026-03-01T12:00:00Z, {option} 30d, {option} 2w, {option} 12h");
    }
}
