namespace GitPromote.Aws.Access;

/// <summary>Where AWS settings in the environment (region, endpoints, keys, profile) are read from; a seam for tests.</summary>
public interface IEnvironmentVariables
{
    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    string? Get(string name);
}

/// <summary>The process's own environment.</summary>
public sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    public static readonly ProcessEnvironmentVariables Instance = new();

    public string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>A fixed set of variables, for tests and for callers that build the environment themselves.</summary>
public sealed class DictionaryEnvironmentVariables(IReadOnlyDictionary<string, string?> values) : IEnvironmentVariables
{
    public string? Get(string name) => values.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
}
