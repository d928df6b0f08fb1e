using GitPromote.Core;

namespace GitPromote.Platform;

/// <summary>This process's own environment variables and working directory: the one real <see cref="IProcessEnvironment"/>.</summary>
public sealed class SystemEnvironment : IProcessEnvironment
{
    public static readonly SystemEnvironment Instance = new();

    public string? Get(string name) => Environment.GetEnvironmentVariable(name);

    public string CurrentDirectory => Directory.GetCurrentDirectory();
}
