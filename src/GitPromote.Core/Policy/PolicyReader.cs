using System.Text.RegularExpressions;
using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>Turns the YAML tree of a schema-version-1 policy into a <see cref="PromotionPolicy"/>, reporting every problem it finds.</summary>
internal sealed class PolicyReader
{
    public const int SupportedVersion = 1;
    public const int MinEnvironments = 2;
    public const int MaxEnvironments = 20;
    public const int MaxJustificationPattern = 1000;
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly PolicyErrorSink _errors;
    private readonly ValueReader _values;

    public PolicyReader(PolicyErrorSink errors)
    {
        _errors = errors;
        _values = new ValueReader(errors);
    }

    public PromotionPolicy? Read(YamlValue root, string defaultName)
    {
        if (root is not YamlMap rootMap)
        {
            _errors.Add(root.At, "the policy must be a mapping of keys (version, name, environments, ...)");
            return null;
        }
        // The version decides what every other key means: for a version we do not know, say only that.
        var versionEntry = rootMap.Entries.FirstOrDefault(e => e.Key == "version");
        if (versionEntry is not null && !IsSupportedVersion(versionEntry.Value))
            return null;

        var map = MappingReader.Open(root, "the policy", PolicyKeys.Root, _errors)!;
        map.Required("version", "the policy");
        var name = ReadName(map, defaultName);
        var branches = map.Optional("branches") is { } b ? ReadBranches(b) : ["main"];
        var environments = map.Required("environments", "the policy") is { } envs
            ? new EnvironmentReader(_values).ReadAll(envs)
            : null;
        var rollback = map.Optional("rollback") is { } r
            ? _values.Choice(r, "rollback", ("previously-green", RollbackMode.PreviouslyGreen), ("never", RollbackMode.Never))
            : RollbackMode.PreviouslyGreen;
        var bypass = map.Optional("bypass") is { } bp ? ReadBypass(bp) : DefaultBypass();
        var onError = map.Optional("on_error") is { } oe
            ? _values.Choice(oe, "on_error", ("block", OnErrorMode.Block), ("allow", OnErrorMode.Allow))
            : OnErrorMode.Block;
        var timeout = map.Optional("timeout") is { } t ? _values.Duration(t, "timeout", MaxTimeout, "10s, 500ms, 2m or 1m30s") : PromotionPolicy.DefaultTimeout;

        if (_errors.Any || name is null || branches is null || environments is null || rollback is null
            || bypass is null || onError is null || timeout is null)
            return null;
        return new PromotionPolicy(SupportedVersion, name, branches, environments, rollback.Value, bypass,
            onError.Value, timeout.Value);
    }

    private bool IsSupportedVersion(YamlValue value)
    {
        if (value is YamlText { IsNull: false } text)
        {
            if (text.Value == SupportedVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)) return true;
            _errors.Add(value.At, $"unsupported version {Quoting.Show(text.Value)}; this git-promote understands version {SupportedVersion}");
        }
        else
        {
            _errors.Add(value.At, $"'version' must be an integer; this git-promote understands version {SupportedVersion}");
        }
        return false;
    }

    private string? ReadName(MappingReader map, string defaultName)
    {
        if (map.Optional("name") is not { } value)
        {
            if (PolicyPatterns.SanitizeServiceName(defaultName) is { } sanitized) return sanitized;
            _errors.Add(map.At, $"the folder name '{Quoting.Show(defaultName)}' cannot name the service; set 'name:' in the policy");
            return null;
        }
        if (_values.Text(value, "name") is not { } name) return null;
        if (PolicyPatterns.ServiceName().IsMatch(name)) return name;
        _errors.Add(value.At, "'name' must be 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit (it is part of SSM parameter " +
            $"names), not '{Quoting.Show(name)}'");
        return null;
    }

    private IReadOnlyList<string>? ReadBranches(YamlValue value)
    {
        var ok = _values.TextList(value, "branches", out var list);
        if (ok && list.Count == 0)
        {
            _errors.Add(value.At, "'branches' must list at least one branch; leave it out to guard only main");
            return null;
        }
        foreach (var (branch, at) in list)
        {
            if (PolicyPatterns.IsBranchPattern(branch)) continue;
            _errors.Add(at, $"'{Quoting.Show(branch)}' is not a branch name, glob (release/*) or full ref (refs/...)");
            ok = false;
        }
        return ok ? list.Select(b => b.Value).ToList() : null;
    }

    private BypassPolicy? ReadBypass(YamlValue value)
    {
        if (MappingReader.Open(value, "'bypass'", PolicyKeys.Bypass, _errors) is not { } map) return null;
        if (map.Optional("justification") is not { } patternValue) return DefaultBypass();
        if (_values.Text(patternValue, "justification") is not { } pattern) return null;
        if (pattern.Length > MaxJustificationPattern)
        {
            _errors.Add(patternValue.At, $"'justification' must be at most {MaxJustificationPattern} characters");
            return null;
        }
        try
        {
            return new BypassPolicy(new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout));
        }
        catch (RegexParseException ex)
        {
            // Built from the error code, not ex.Message: the AOT binary uses resource keys instead of messages.
            _errors.Add(patternValue.At, $"'justification' is not a valid regular expression: {Describe(ex.Error)} at offset {ex.Offset}");
            return null;
        }
        catch (ArgumentException ex)
        {
            _errors.Add(patternValue.At, $"'justification' is not a valid regular expression: {ex.Message}");
            return null;
        }
    }

    /// <summary><c>UnterminatedBracket</c> as <c>unterminated bracket</c>.</summary>
    private static string Describe(RegexParseError error)
    {
        var name = error.ToString();
        var words = new System.Text.StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }

    public static BypassPolicy DefaultBypass() =>
        new(new Regex(BypassPolicy.DefaultPattern, RegexOptions.CultureInvariant, RegexTimeout));
}
