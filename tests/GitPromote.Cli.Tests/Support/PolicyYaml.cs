namespace GitPromote.Cli.Tests.Support;

/// <summary>A valid .promote.yml as a user writes it: dev then stg, guarding <paramref name="branches"/>.</summary>
internal static class PolicyYaml
{
    public static string DevThenStg(params string[] branches) => $"""
        version: 1
        name: orders
        branches: [{string.Join(", ", branches.Length == 0 ? ["main"] : branches)}]
        environments:
          - name: dev
            remotes: [dev]
          - name: stg
            remotes: [stg]
        """;
}
