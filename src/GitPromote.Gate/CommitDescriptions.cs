using GitPromote.Core.Evidence;
using GitPromote.Core.Push;
using GitPromote.Git;

namespace GitPromote.Gate;

/// <summary>What may be said about a commit beyond its id (from the local repository, when it has it): when it became green, its subject.</summary>
public sealed record CommitDescription(string Commit, DateTimeOffset? When, string? Subject);

/// <summary>How a push of a suggested commit moves the environment's deploy branch, which decides the refspec git accepts.</summary>
public enum PushShape
{
    /// <summary>The branch does not exist there yet: <c>&lt;sha&gt;:refs/heads/&lt;branch&gt;</c>.</summary>
    Creates,
    /// <summary>The branch's tip is an ancestor of the commit: a plain push.</summary>
    FastForward,
    /// <summary>Neither ahead nor behind the tip (another line of history): git wants a forced push, leased on the tip.</summary>
    Replaces,
    /// <summary>This clone cannot tell (it lacks one of the two commits): a plain push, which git judges.</summary>
    Unknown,
}

/// <summary>A commit green in the previous environment that may be suggested for the next one, and how its push moves the branch.</summary>
public sealed record PromotionCandidate(CommitDescription Description, GreenFact Fact, PushShape Shape);

/// <summary>Puts dates and subjects on commit ids, in one batch, and orders them for people reading a refusal or a status.</summary>
public static class CommitDescriptions
{
    /// <summary>
    /// Green facts newest first by when they became green (the record's own time), never by when they were committed: a
    /// record time is the only "green at" shown. Facts without one come after those with one, by commit time; commits
    /// that tie (a second's resolution, or no time at all) are told apart by history: a descendant is newer than its ancestor.
    /// </summary>
    public static List<(CommitDescription Description, GreenFact Fact)> NewestFirst(IGitRepository repository, IReadOnlyList<GreenFact> facts)
    {
        var infos = repository.ReadCommits(facts.Select(f => f.Commit).Distinct(StringComparer.Ordinal).ToList());
        var described = facts
            .Select(f =>
            {
                var info = infos.GetValueOrDefault(f.Commit);
                return (Description: new CommitDescription(f.Commit, f.RecordedAt, info?.Subject), Fact: f, Committed: info?.CommitTime);
            })
            .ToList();
        return described
            .GroupBy(x => (x.Fact.RecordedAt, Committed: x.Fact.RecordedAt is null ? x.Committed : null))
            .OrderByDescending(g => g.Key.RecordedAt.HasValue)
            .ThenByDescending(g => g.Key.RecordedAt)
            .ThenByDescending(g => g.Key.Committed)
            .SelectMany(g => ByHistory(repository, g.Select(x => (x.Description, x.Fact)).ToList()))
            .ToList();
    }

    /// <summary>Commits that tie on time, descendants first: one counts how many of the others it descends from.</summary>
    private static IEnumerable<(CommitDescription Description, GreenFact Fact)> ByHistory(IGitRepository repository,
        List<(CommitDescription Description, GreenFact Fact)> tied)
    {
        if (tied.Count < 2 || tied.Count > MaxTiedByHistory) return tied;
        return tied
            .Select(x => (Item: x, Descends: tied.Count(o => !ReferenceEquals(o.Fact, x.Fact)
                && repository.IsAncestor(o.Fact.Commit, x.Fact.Commit) == true)))
            .OrderByDescending(x => x.Descends)
            .Select(x => x.Item);
    }

    /// <summary>Ancestry is asked pair by pair; beyond this many commits with one time, their order is left as the store gave it.</summary>
    private const int MaxTiedByHistory = 16;

    /// <summary>
    /// What may be suggested for the next environment, newest first, at most <paramref name="max"/>: never a commit revoked
    /// there, never its deploy branch's tip, and never one behind it (pushing an ancestor of the tip is a rollback, not a
    /// promotion, and is said as one elsewhere). Each comes with how its push moves the branch.
    /// </summary>
    /// <param name="tip">The commit the target's deploy branch holds; null when it does not exist (or is unknown).</param>
    public static List<PromotionCandidate> Candidates(IGitRepository repository, IReadOnlyList<GreenFact> green, IReadOnlySet<string> revokedInTarget,
        string? tip, int max)
    {
        var candidates = new List<PromotionCandidate>();
        foreach (var (description, fact) in NewestFirst(repository, green))
        {
            if (candidates.Count >= max) break;
            if (revokedInTarget.Contains(fact.Commit)) continue;
            if (tip is null)
            {
                candidates.Add(new(description, fact, PushShape.Creates));
                continue;
            }
            if (string.Equals(fact.Commit, tip, StringComparison.OrdinalIgnoreCase) || repository.IsAncestor(fact.Commit, tip) == true) continue;
            var shape = repository.IsAncestor(tip, fact.Commit) switch
            {
                true => PushShape.FastForward,
                false => PushShape.Replaces,
                null => PushShape.Unknown,
            };
            candidates.Add(new(description, fact, shape));
        }
        return candidates;
    }

    /// <summary>
    /// The <c>git push</c> that puts <paramref name="commit"/> on <paramref name="branch"/> of <paramref name="remote"/> as git accepts
    /// it: the full ref name when the branch is new, a lease on the tip when the push is not a fast-forward.
    /// </summary>
    public static string PushCommand(string remote, string branch, string commit, PushShape shape, string? tip) => shape switch
    {
        PushShape.Creates => $"git push {remote} {ObjectIds.Short(commit)}:refs/heads/{branch}",
        PushShape.Replaces when tip is not null => $"git push --force-with-lease=refs/heads/{branch}:{tip} {remote} {ObjectIds.Short(commit)}:{branch}",
        _ => $"git push {remote} {ObjectIds.Short(commit)}:{branch}",
    };
}
