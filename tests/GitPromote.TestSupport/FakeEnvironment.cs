using GitPromote.Core;

namespace GitPromote.TestSupport;

/// <summary>An environment of exactly the given variables (none of the test process's own) and a working directory.</summary>
public sealed class FakeEnvironment(IReadOnlyDictionary<string, string?> variables, string? currentDirectory = null) : IProcessEnvironment
{
    public static FakeEnvironment Empty { get; } = new(new Dictionary<string, string?>());

    public FakeEnvironment(params (string Name, string? Value)[] variables)
        : this(variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal))
    {
    }

    /// <summary>A copy of the test process's own variables, to change one or two.</summary>
    public static FakeEnvironment FromProcess() => new(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal), Directory.GetCurrentDirectory());

    public IReadOnlyDictionary<string, string?> Variables { get; } = variables;

    public string? Get(string name) => Variables.GetValueOrDefault(name);

    public string CurrentDirectory { get; } = currentDirectory ?? Path.GetTempPath();

    /// <summary>This environment with <paramref name="name"/> set (or unset, for null).</summary>
    public FakeEnvironment With(string name, string? value) =>
        new(new Dictionary<string, string?>(Variables, StringComparer.Ordinal) { [name] = value }, CurrentDirectory);

    public FakeEnvironment In(string currentDirectory) => new(Variables, currentDirectory);
}

/// <summary>An environment answered by a function, for tests that watch which variables are asked.</summary>
public sealed class LookupEnvironment(Func<string, string?> lookup) : IProcessEnvironment
{
    public string? Get(string name) => lookup(name);

    public string CurrentDirectory => Path.GetTempPath();
}
