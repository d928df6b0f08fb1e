using System.Globalization;
using GitPromote.Core.Push;

namespace GitPromote.Core.Evidence;

/// <summary>What a deployment did to an environment, as <c>git promote record</c> (or a landed bypass) tells it.</summary>
public enum DeploymentKind
{
    /// <summary>A commit new to the environment.</summary>
    Forward,
    /// <summary>A commit the environment had green before, deployed again after another one.</summary>
    Rollback,
    /// <summary>The commit deployed last, deployed again.</summary>
    Redeploy,
    /// <summary>A commit let through on a recorded bypass.</summary>
    Bypass,
}

/// <summary>
/// One deployment of one commit to one environment: written by <c>git promote record</c> for every successful run, and
/// by a server's reference-transaction hook when a bypassed push lands. Unlike a green record (one per commit, replaced
/// when recorded again) every deployment is its own record, so a history can count rollbacks and redeploys.
/// </summary>
public sealed record DeploymentEvent(string Environment, string Commit, DateTimeOffset At, Identity By, DeploymentKind Kind)
{
    /// <summary>Why <c>record --force</c> wrote it though the environment was not seen deploying the commit; null otherwise.</summary>
    public string? Forced { get; init; }

    /// <summary>
    /// The id (<see cref="BypassRecord.Id"/>) of the bypass this deployment used; null when it used none. A bypass admits one
    /// deployment: once an event (not a <see cref="Landed"/> one) names it, no later deployment may use it (<see cref="BypassUse"/>).
    /// </summary>
    public string? Bypass { get; init; }

    /// <summary>
    /// Written by a server's reference-transaction hook when a bypassed push landed on the branch: the push the bypass was
    /// written for, not yet a deployment. It ties the bypass to that push without using it up: the pipeline's deployment
    /// of the push (its <c>record</c>) uses it.
    /// </summary>
    public bool Landed { get; init; }

    /// <summary>
    /// Why this event's body could not be read when it was meant to be (not JSON, a kind git-promote does not write such as
    /// <c>"Rollback"</c>, another commit than its name's): the event is known by its name alone, and its kind is not known
    /// (<see cref="Kind"/> is only a stand-in). A history leaves it out and names it; null for an event read in full, or
    /// one read from its name on purpose (older than the details asked for).
    /// </summary>
    public string? Unread { get; init; }
}

/// <summary>An environment's records as one listing of its store returns them, each kind read as its own listing would.</summary>
public sealed record StoredHistory(
    IReadOnlyList<DeploymentEvent> Events,
    IReadOnlyList<BypassRecord> Bypasses,
    IReadOnlyList<GreenFact> Green,
    IReadOnlyList<Revocation> Revocations,
    IReadOnlyList<LiftedRevocation> Lifted);

/// <summary>
/// The name of an event in its store, after the environment's <c>deploy/</c> prefix: <c>&lt;yyyyMMddTHHmmssZ&gt;-&lt;commit&gt;-&lt;random&gt;</c>.
/// Sorted by name is sorted by time; the random part keeps two deployments in one second apart. The same in git
/// (<c>refs/promote/deploy/...</c>) and SSM (<c>/promote/&lt;name&gt;/&lt;env&gt;/deploy/...</c>).
/// </summary>
public static class DeploymentNames
{
    /// <summary>A bound on one listing's time and memory: ten years of a deployment every hour, about.</summary>
    public const int MaxListed = 100_000;

    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string Name(DateTimeOffset at, string commit, string random) =>
        $"{at.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture)}-{commit.ToLowerInvariant()}-{random}";

    /// <summary>The time and commit a name says, or null when it is not an event's name.</summary>
    public static (DateTimeOffset At, string Commit)? Parse(string name)
    {
        var parts = name.Split('-');
        if (parts.Length != 3 || parts[2].Length is 0 or > 32 || !parts[2].All(char.IsAsciiLetterOrDigit)) return null;
        if (!DateTimeOffset.TryParseExact(parts[0], StampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return null;
        var commit = parts[1].ToLowerInvariant();
        return ObjectIds.IsValid(commit) ? (at, commit) : null;
    }

    /// <summary>
    /// The events one listing of a store holds (each as its name after <c>deploy/</c> and its body), oldest first. Bodies
    /// are read for events from <paramref name="detailsSince"/> on, and always for the newest second: a name says the
    /// second only, so two events in that second are told apart by their bodies (to the millisecond), and the last one is
    /// known without a second listing. Names that are not events', and events whose body was read and is not a deployment
    /// event of their commit (kept, marked <see cref="DeploymentEvent.Unread"/>), go to <paramref name="unreadable"/> when it is given.
    /// </summary>
    public static List<DeploymentEvent> FromListing(string environment, IEnumerable<(string Name, string? Body)> stored, DateTimeOffset detailsSince,
        ICollection<string>? unreadable = null)
    {
        var named = stored.Select(s => (s.Name, s.Body, Parsed: Parse(s.Name))).ToList();
        var newest = named.Max(n => n.Parsed?.At);
        var events = new List<DeploymentEvent>();
        foreach (var (name, body, parsed) in named)
        {
            if (parsed is not { } p)
            {
                unreadable?.Add(name);
                continue;
            }
            var read = FromStored(environment, name, body, readBody: p.At >= detailsSince || p.At == newest)!;
            if (read.Unread is not null) unreadable?.Add(name);
            events.Add(read);
        }
        return events.OrderBy(e => e.At).ToList();
    }

    /// <summary>The event a stored record holds: its body when that is an event of this commit, else what its name says.</summary>
    public static DeploymentEvent? FromStored(string environment, string name, string? body, bool readBody)
    {
        if (Parse(name) is not { } named) return null;
        if (readBody && RecordJson.ReadDeployment(body) is { } full && string.Equals(full.Commit, named.Commit, StringComparison.Ordinal))
            // The body's time is finer than the name's; a body that disagrees with its name by a second or more is not believed.
            return full with { Environment = environment, At = (full.At - named.At).Duration() < TimeSpan.FromSeconds(1) ? full.At : named.At };
        return new DeploymentEvent(environment, named.Commit, named.At, Identity.Unknown, DeploymentKind.Forward)
        {
            Unread = readBody ? "its body is not a deployment event of its commit (not JSON, a kind git-promote does not write, or another commit)" : null,
        };
    }
}

/// <summary>How <c>record</c> names the deployment it writes, from what the environment saw before. Pure.</summary>
public static class DeploymentKinds
{
    /// <summary>
    /// In this order: a deployment that uses a bypass (<see cref="BypassUse.Find"/> gave one) is a <see cref="DeploymentKind.Bypass"/>;
    /// the commit deployed last makes a <see cref="DeploymentKind.Redeploy"/>; a commit green or deployed there before makes a
    /// <see cref="DeploymentKind.Rollback"/>; anything else is <see cref="DeploymentKind.Forward"/>. A server's landing events
    /// (<see cref="DeploymentEvent.Landed"/>) are pushes, not deployments: the pipeline's deployment after one is not a redeploy.
    /// </summary>
    /// <param name="earlier">The environment's events so far, any order.</param>
    /// <param name="greenBefore">Whether the commit had a green record there before this run wrote one.</param>
    /// <param name="usesBypass">Whether this deployment uses an unused bypass of the commit into the environment.</param>
    public static DeploymentKind Decide(string commit, IReadOnlyList<DeploymentEvent> earlier, bool greenBefore, bool usesBypass)
    {
        if (usesBypass) return DeploymentKind.Bypass;
        var deployments = earlier.Where(e => !e.Landed).ToList();
        var last = deployments.OrderBy(e => e.At).LastOrDefault();
        if (last is not null && Same(last.Commit, commit)) return DeploymentKind.Redeploy;
        if (greenBefore || deployments.Any(e => Same(e.Commit, commit))) return DeploymentKind.Rollback;
        return DeploymentKind.Forward;
    }

    public static string Name(DeploymentKind kind) => kind switch
    {
        DeploymentKind.Forward => "forward",
        DeploymentKind.Rollback => "rollback",
        DeploymentKind.Redeploy => "redeploy",
        _ => "bypass",
    };

    public static DeploymentKind? Parse(string? name) => name switch
    {
        "forward" => DeploymentKind.Forward,
        "rollback" => DeploymentKind.Rollback,
        "redeploy" => DeploymentKind.Redeploy,
        "bypass" => DeploymentKind.Bypass,
        _ => null,
    };

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
