using System.Text.Json;

namespace GitPromote.Cdk.Tests;

/// <summary>Reads a synthesized CloudFormation template: resources by type, IAM statements, intrinsic functions flattened to text.</summary>
public sealed class Cfn(JsonElement root)
{
    public static Cfn Load(string path) => new(JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone());

    public JsonElement Root => root;

    public IEnumerable<(string Id, JsonElement Properties)> Resources(string type) =>
        root.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == type)
            .Select(r => (r.Name, r.Value.TryGetProperty("Properties", out var p) ? p : default));

    public (string Id, JsonElement Properties) Single(string type, Func<JsonElement, bool> where) =>
        Resources(type).Single(r => where(r.Properties));

    public JsonElement Pipeline => Resources("AWS::CodePipeline::Pipeline").Single().Properties;

    public IReadOnlyList<string> StageNames => Pipeline.GetProperty("Stages").EnumerateArray().Select(s => s.GetProperty("Name").GetString()!).ToList();

    public (string Id, JsonElement Properties) RoleNamed(string name) =>
        Single("AWS::IAM::Role", p => p.TryGetProperty("RoleName", out var n) && n.GetString() == name);

    /// <summary>Every statement of every identity policy (inline AWS::IAM::Policy and managed), with the policy's id and the roles it is attached to.</summary>
    public IEnumerable<Statement> IdentityStatements()
    {
        foreach (var (id, p) in Resources("AWS::IAM::Policy").Concat(Resources("AWS::IAM::ManagedPolicy")))
        {
            var roles = p.TryGetProperty("Roles", out var r) ? r.EnumerateArray().Select(Flatten).ToList() : [];
            foreach (var s in p.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
                yield return new Statement(id, roles, s);
        }
    }

    public IEnumerable<Statement> StatementsOfRole(string roleId) => IdentityStatements().Where(s => s.Roles.Contains("${" + roleId + "}"));

    /// <summary>Strings as they are; Fn::Join concatenated; Ref as ${Id}; Fn::GetAtt as ${Id.Attr}.</summary>
    public static string Flatten(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String) return e.GetString()!;
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (e.TryGetProperty("Fn::Join", out var join))
                return string.Join(join[0].GetString(), join[1].EnumerateArray().Select(Flatten));
            if (e.TryGetProperty("Ref", out var reference)) return "${" + reference.GetString() + "}";
            if (e.TryGetProperty("Fn::GetAtt", out var att)) return "${" + string.Join('.', att.EnumerateArray().Select(a => a.GetString())) + "}";
        }
        return e.GetRawText();
    }

    public static IReadOnlyList<string> Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(Flatten).ToList() : [Flatten(e)];
}

public sealed record Statement(string PolicyId, IReadOnlyList<string> Roles, JsonElement Json)
{
    public string? Sid => Json.TryGetProperty("Sid", out var s) ? s.GetString() : null;
    public IReadOnlyList<string> Actions => Cfn.Strings(Json.GetProperty("Action"));
    public IReadOnlyList<string> Resources => Json.TryGetProperty("Resource", out var r) ? Cfn.Strings(r) : [];
}
