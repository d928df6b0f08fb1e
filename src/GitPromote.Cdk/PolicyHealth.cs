using System.Text.RegularExpressions;
using GitPromote.Core.Policy;

namespace GitPromote.Cdk;

/// <summary>
/// Writes <see cref="PromotedEnvironmentProps.HealthAlarms"/> into the policy text the construct pins: each environment
/// named gets <c>health: { alarms: [...] }</c> right under its <c>- name:</c> line. The result is loaded again and must
/// say exactly what was asked, so an edit the text's layout defeats is refused, never published half-done.
/// </summary>
internal static partial class PolicyHealth
{
    public static string Merge(PromotionPolicy policy, string text, IReadOnlyDictionary<string, IReadOnlyList<string>>? healthAlarms,
        Func<string, PromotionPolicy> load)
    {
        if (healthAlarms is null || healthAlarms.Count == 0) return text;
        var known = string.Join(", ", policy.Environments.Select(e => e.Name));
        foreach (var (name, alarms) in healthAlarms.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (policy.FindEnvironment(name) is not { } env)
                throw new ArgumentException($"unknown environment '{name}' in HealthAlarms: .promote.yml of {policy.Name} has {known}.");
            if (alarms is null || alarms.Count == 0 || alarms.Any(string.IsNullOrWhiteSpace))
                throw new ArgumentException(
                    $"HealthAlarms of {name} must list alarm names or prefixes ending in *, none empty; leave {name} out for no health.");
            if (env.Health is { } written)
            {
                var inPolicy = written.Alarms.Select(a => a.Text).ToHashSet(StringComparer.Ordinal);
                if (!inPolicy.SetEquals(alarms))
                    throw new ArgumentException(
                        $"HealthAlarms gives {name} [{string.Join(", ", alarms)}], but .promote.yml's 'health' of {name} lists " +
                        $"[{written.Describe()}]: the pinned policy can hold only one list. Keep the alarms in one place " +
                        $"(remove {name} from HealthAlarms, or 'health' from .promote.yml), or make both the same.");
                continue;
            }
            text = Insert(text, name, alarms);
        }
        var merged = load(text);
        foreach (var (name, alarms) in healthAlarms)
        {
            if (merged.FindEnvironment(name)?.Health?.Alarms.Select(a => a.Text).ToHashSet(StringComparer.Ordinal).SetEquals(alarms) != true)
                throw new ArgumentException(
                    $"could not write HealthAlarms of {name} into the policy text (its environments are not written as '- name: {name}' blocks): " +
                    $"add 'health: {{ alarms: [...] }}' to {name} in .promote.yml instead.");
        }
        return text;
    }

    private static string Insert(string text, string environment, IReadOnlyList<string> alarms)
    {
        var lines = text.Split('\n').ToList();
        var at = lines.Select((line, i) => (Match: NameLine().Match(line.TrimEnd('\r')), Index: i))
            .Where(l => l.Match.Success && Unquote(l.Match.Groups["name"].Value) == environment).ToList();
        if (at.Count != 1)
            throw new ArgumentException(
                $"could not write HealthAlarms of {environment} into the policy text: it has {at.Count} '- name: {environment}' lines, " +
                $"not one. Add 'health: {{ alarms: [...] }}' to {environment} in .promote.yml instead.");
        var (match, index) = at[0];
        var pad = new string(' ', match.Groups["dash"].Length);
        var list = string.Join(", ", alarms.Select(a => "'" + a.Replace("'", "''", StringComparison.Ordinal) + "'"));
        lines.Insert(index + 1, $"{pad}health: {{ alarms: [{list}] }}  # from the CDK construct's HealthAlarms");
        return string.Join('\n', lines);
    }

    private static string Unquote(string name) =>
        name.Length >= 2 && (name[0] == '\'' || name[0] == '"') && name[^1] == name[0] ? name[1..^1] : name;

    /// <summary><c>  - name: stg</c>, optionally quoted, optionally with a comment; group dash spans up to the key.</summary>
    [GeneratedRegex(@"^(?<dash>\s*-\s+)name:\s*(?<name>'[^']*'|""[^""]*""|[^\s#'""]+)\s*(#.*)?$")]
    private static partial Regex NameLine();
}
