using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace GitPromote.TestSupport;

/// <summary>
/// The JSON Schemas of the --json outputs as published in docs/json/ (copied next to the tests), and a validator that
/// names every violation: where in the output, which keyword, and what it says.
/// </summary>
public static class PublishedSchemas
{
    public static readonly IReadOnlyList<string> Commands = ["check", "gate", "status", "audit", "doctor", "prune", "history"];

    private static readonly ConcurrentDictionary<string, JsonSchema> Loaded = new(StringComparer.Ordinal);

    public static string Path(string command) => System.IO.Path.Combine(AppContext.BaseDirectory, "json-schemas", $"{command}.schema.json");

    public static JsonDocument Document(string command) => JsonDocument.Parse(File.ReadAllText(Path(command)));

    /// <summary>Each schema gets a registry of its own: the global one refuses a second schema with the same $id.</summary>
    public static JsonSchema Schema(string command) => Loaded.GetOrAdd(command, c =>
        JsonSchema.FromText(File.ReadAllText(Path(c)), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    /// <summary>Every violation of <paramref name="command"/>'s schema by <paramref name="json"/>; empty when it conforms.</summary>
    public static IReadOnlyList<string> Violations(string command, string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Schema(command).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var violations = (results.Details ?? [])
            .Prepend(results)
            .Where(r => r.Errors is { Count: > 0 })
            .SelectMany(r => r.Errors!.Select(e => $"{r.InstanceLocation} ({r.EvaluationPath}) {e.Key}: {e.Value}"))
            .ToList();
        return violations.Count > 0 ? violations : ["invalid, with no error reported"];
    }

    /// <summary>Fails with every violation, and the output, when <paramref name="json"/> does not conform.</summary>
    public static void AssertConforms(string command, string json)
    {
        var violations = Violations(command, json);
        if (violations.Count > 0)
            throw new InvalidOperationException($"{command} --json does not match docs/json/{command}.schema.json:\n  "
                + string.Join("\n  ", violations) + $"\noutput:\n{json}");
    }
}
