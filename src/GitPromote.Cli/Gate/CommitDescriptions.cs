using GitPromote.Cli.Output;
using GitPromote.Core.Evidence;
using GitPromote.Git;

namespace GitPromote.Cli.Gate;

/// <summary>Puts dates and subjects on commit ids, in one batch, for people reading a refusal or a status.</summary>
public static class CommitDescriptions
{
    /// <summary>Green facts newest first: by the evidence's own time, else the commit's time when this clone has the commit.</summary>
    public static List<(CommitDescription Description, GreenFact Fact)> NewestFirst(IGitRepository repository, IReadOnlyList<GreenFact> facts)
    {
        var infos = repository.ReadCommits(facts.Select(f => f.Commit).Distinct(StringComparer.Ordinal).ToList());
        return facts
            .Select(f =>
            {
                var info = infos.GetValueOrDefault(f.Commit);
                return (new CommitDescription(f.Commit, f.RecordedAt ?? info?.CommitTime, info?.Subject), f);
            })
            .OrderByDescending(x => x.Item1.When.HasValue)
            .ThenByDescending(x => x.Item1.When)
            .ToList();
    }
}
