using GitPromote.Core.Policy.Yaml;

namespace GitPromote.Core.Policy;

/// <summary>
/// Loads and validates <c>.promote.yml</c> (schema version 1, the format README.md describes under "The policy"). The text is untrusted: size,
/// nesting and node count are bounded, YAML features a policy does not need are refused, and every
/// problem found is returned as <c>file:line:col: message</c> rather than thrown.
/// </summary>
public static class PolicyLoader
{
    public const long MaxBytes = 1 << 20;
    public const int MaxDepth = 32;
    public const int MaxNodes = 10_000;
    public const int MaxErrors = 100;

    /// <param name="yamlText">The policy file's content.</param>
    /// <param name="fileName">How errors name the file, e.g. <c>.promote.yml</c>.</param>
    /// <param name="defaultName">The service name when the policy has no <c>name:</c> (the repository's folder name); made valid if it is not.</param>
    public static PolicyLoadResult Load(string yamlText, string fileName, string defaultName)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(defaultName);
        var errors = new PolicyErrorSink(fileName, MaxErrors);

        if (yamlText.Length > MaxBytes || System.Text.Encoding.UTF8.GetByteCount(yamlText) > MaxBytes)
        {
            errors.Add(Position.None, $"the policy is larger than {MaxBytes / 1024} KiB");
            return PolicyLoadResult.Failed(errors.ToList());
        }
        var text = yamlText.StartsWith('\uFEFF') ? yamlText[1..] : yamlText;
        if (FindControlCharacter(text) is { } bad)
        {
            errors.Add(bad.At, $"control character U+{(int)bad.Char:X4} is not allowed in the policy");
            return PolicyLoadResult.Failed(errors.ToList());
        }

        var root = SafeYamlReader.Read(text, errors, MaxDepth, MaxNodes);
        if (errors.Any) return PolicyLoadResult.Failed(errors.ToList());
        if (root is null or YamlText { IsNull: true })
        {
            errors.Add(Position.Start, "the policy is empty; it needs at least 'version: 1' and 'environments:'");
            return PolicyLoadResult.Failed(errors.ToList());
        }

        var policy = new PolicyReader(errors).Read(root, defaultName);
        return policy is not null && !errors.Any ? PolicyLoadResult.Ok(policy) : PolicyLoadResult.Failed(errors.ToList());
    }

    /// <summary>
    /// YAML forbids most C0 controls, but YamlDotNet lets some through into values; a policy never needs them
    /// and they could reach a terminal through an error message, so they are refused up front.
    /// </summary>
    private static (char Char, Position At)? FindControlCharacter(string text)
    {
        int line = 1, column = 1;
        foreach (var c in text)
        {
            if (c == '\n') { line++; column = 1; continue; }
            if (char.IsControl(c) && c is not ('\t' or '\r')) return (c, new Position(line, column));
            column++;
        }
        return null;
    }
}
