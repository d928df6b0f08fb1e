using System.Text.Json.Nodes;

namespace GitPromote.Cdk.Tests.Iam;

/// <summary>Deliberate edits of a raw template, to see a check fail when the template is widened or narrowed.</summary>
public static class TemplateEdits
{
    /// <summary>The role trusts the whole account (any principal there with an sts:AssumeRole grant), as the CDK's default action roles did.</summary>
    public static void TrustAccountRoot(JsonObject template, string roleId, string account) =>
        TrustPrincipal(template, roleId, $"arn:aws:iam::{account}:root");

    public static void TrustPrincipal(JsonObject template, string roleId, string principal) =>
        Resource(template, roleId)["Properties"]!["AssumeRolePolicyDocument"] = Document(new JsonObject
        {
            ["Effect"] = "Allow",
            ["Action"] = "sts:AssumeRole",
            ["Principal"] = new JsonObject { ["AWS"] = principal },
        });

    /// <summary>A new inline policy on the role allowing <paramref name="action"/> on every resource.</summary>
    public static void AllowOnRole(JsonObject template, string roleId, string action) =>
        ((JsonObject)template["Resources"]!)[$"Widened{roleId}{Guid.NewGuid():N}"] = new JsonObject
        {
            ["Type"] = "AWS::IAM::Policy",
            ["Properties"] = new JsonObject
            {
                ["PolicyName"] = "widened",
                ["PolicyDocument"] = Document(AllowEverywhere(action)),
                ["Roles"] = new JsonArray(new JsonObject { ["Ref"] = roleId }),
            },
        };

    public static void AllowOnManagedPolicy(JsonObject template, string policyId, string action) =>
        ((JsonArray)Resource(template, policyId)["Properties"]!["PolicyDocument"]!["Statement"]!).Add(AllowEverywhere(action));

    /// <summary>Takes <paramref name="action"/> out of every statement of the role's (or managed policy's) identity policies.</summary>
    public static void RemoveStatements(JsonObject template, string roleOrPolicyId, string action)
    {
        var resources = (JsonObject)template["Resources"]!;
        var documents = resources
            .Where(r => r.Key == roleOrPolicyId && r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::ManagedPolicy"
                || r.Value!["Type"]!.GetValue<string>() is "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy"
                && r.Value["Properties"]!["Roles"] is JsonArray roles && roles.Any(x => x?["Ref"]?.GetValue<string>() == roleOrPolicyId))
            .Select(r => (JsonArray)r.Value!["Properties"]!["PolicyDocument"]!["Statement"]!)
            .ToList();
        var removed = 0;
        foreach (var statements in documents)
        {
            foreach (var statement in statements.OfType<JsonObject>().ToList())
            {
                var actions = statement["Action"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [statement["Action"]!.GetValue<string>()];
                if (!actions.Remove(action)) continue;
                removed++;
                if (actions.Count == 0) statements.Remove(statement);
                else statement["Action"] = new JsonArray(actions.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
            }
        }
        if (removed == 0) throw new InvalidOperationException($"no statement of {roleOrPolicyId} allows {action}: the narrowing would change nothing");
    }

    private static JsonObject Resource(JsonObject template, string id) =>
        (JsonObject?)template["Resources"]![id] ?? throw new InvalidOperationException($"no resource {id} in the template");

    private static JsonObject AllowEverywhere(string action) => new() { ["Effect"] = "Allow", ["Action"] = action, ["Resource"] = "*" };

    private static JsonObject Document(JsonObject statement) => new() { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statement) };
}
