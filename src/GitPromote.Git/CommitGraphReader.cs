using System.Globalization;
using System.Text;
using GitPromote.Core.History;

namespace GitPromote.Git;

/// <summary>
/// The commits reachable from some tips, with committer times, parents and subjects, in one <c>git log</c> (tips on
/// stdin), for the lead times of <c>git promote history</c>. Bounded: at most <see cref="MaxCommits"/>, newest first, so a
/// huge history costs a bounded read and its oldest commits are left out (<see cref="CommitGraph.Truncated"/>).
/// </summary>
public static class CommitGraphReader
{
    public const int MaxCommits = 200_000;

    public sealed record CommitGraph(IReadOnlyDictionary<string, CommitNode> Commits, bool Truncated);

    /// <param name="tips">Full commit ids present in the repository (resolve them first: git log refuses a missing one).</param>
    public static async Task<CommitGraph> ReadAsync(string gitDir, GitProcess git, IReadOnlyCollection<string> tips, CancellationToken cancellationToken,
        int maxCommits = MaxCommits)
    {
        var commits = new Dictionary<string, CommitNode>(StringComparer.Ordinal);
        if (tips.Count == 0) return new CommitGraph(commits, false);
        var stdin = Encoding.UTF8.GetBytes(string.Join('\n', tips) + "\n");
        var result = (await git.RunAsync(gitDir, ["--git-dir=" + gitDir, "log", "--stdin", "--no-show-signature", $"--max-count={maxCommits}",
            "--format=%H%x00%ct%x00%P%x00%s"], stdin, cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\0');
            if (parts.Length < 4 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) continue;
            var parents = parts[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            commits[parts[0]] = new CommitNode(parts[0], DateTimeOffset.FromUnixTimeSeconds(seconds), parents, parts[3]);
        }
        return new CommitGraph(commits, commits.Count >= maxCommits);
    }
}
