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

    /// <summary>Takes the statement <paramref name="sid"/> out of the role's (or managed policy's) identity policies.</summary>
    public static void RemoveStatementSid(JsonObject template, string roleOrPolicyId, string sid)
    {
        var resources = (JsonObject)template["Resources"]!;
        var removed = 0;
        foreach (var (_, resource) in resources.Where(r => r.Key == roleOrPolicyId && r.Value!["Type"]!.GetValue<string>() == "AWS::IAM::ManagedPolicy"
            || r.Value!["Type"]!.GetValue<string>() is "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy"
            && r.Value["Properties"]!["Roles"] is JsonArray roles && roles.Any(x => x?["Ref"]?.GetValue<string>() == roleOrPolicyId)))
        {
            var statements = (JsonArray)resource!["Properties"]!["PolicyDocument"]!["Statement"]!;
            foreach (var statement in statements.Where(x => x?["Sid"]?.GetValue<string>() == sid).ToList())
            {
                statements.Remove(statement);
                removed++;
            }
        }
        if (removed == 0) throw new InvalidOperationException($"no statement {sid} in the policies of {roleOrPolicyId}: the edit would change nothing");
    }

    /// <summary>Takes the condition on <paramref name="key"/> out of every statement of the role's trust policy.</summary>
    public static void RemoveTrustCondition(JsonObject template, string roleId, string key)
    {
        var removed = 0;
        foreach (var statement in Resource(template, roleId)["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())
            foreach (var (_, block) in statement!["Condition"]?.AsObject().ToList() ?? [])
                if (block!.AsObject().Remove(key)) removed++;
        if (removed == 0) throw new InvalidOperationException($"no trust condition of {roleId} is on {key}: the widening would change nothing");
    }

    /// <summary>Takes the statement <paramref name="sid"/> out of the role's trust policy.</summary>
    public static void RemoveTrustStatement(JsonObject template, string roleId, string sid)
    {
        var statements = Resource(template, roleId)["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray();
        var statement = statements.SingleOrDefault(s => s!["Sid"]?.GetValue<string>() == sid)
            ?? throw new InvalidOperationException($"the trust of {roleId} has no statement {sid}");
        statements.Remove(statement);
    }

    /// <summary>Takes <paramref name="action"/> out of the build guard SCP the template outputs (as it would stand in this account).</summary>
    public static void RemoveScpAction(JsonObject template, string account, string action) => EditScp(template, account, statements =>
    {
        var removed = 0;
        foreach (var statement in statements.OfType<JsonObject>())
        {
            var actions = statement["Action"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            if (!actions.Remove(action)) continue;
            removed++;
            statement["Action"] = new JsonArray(actions.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        }
        if (removed == 0) throw new InvalidOperationException($"the SCP has no {action}: the widening would change nothing");
    });

    /// <summary>Takes <paramref name="principal"/> out of every exemption (ArnNotEquals aws:PrincipalArn) of the build guard SCP.</summary>
    public static void RemoveScpExemption(JsonObject template, string account, string principal) => EditScp(template, account, statements =>
    {
        var removed = 0;
        foreach (var statement in statements.OfType<JsonObject>())
        {
            var exempt = statement["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]!;
            var list = exempt is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [exempt.GetValue<string>()];
            if (!list.Remove(principal)) continue;
            removed++;
            statement["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"] = new JsonArray(list.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
        }
        if (removed == 0) throw new InvalidOperationException($"the SCP exempts no {principal}: the narrowing would change nothing");
    });

    /// <summary>A build guard that denies every action everywhere to everyone: what it leaves alone is seen denied then.</summary>
    public static void DenyEverythingInScp(JsonObject template, string account) => EditScp(template, account, statements =>
        statements.Add(new JsonObject { ["Effect"] = "Deny", ["Action"] = "*", ["Resource"] = "*" }));

    private static void EditScp(JsonObject template, string account, Action<JsonArray> edit)
    {
        var outputs = (JsonObject)template["Outputs"]!;
        var key = outputs.Single(o => o.Key.Contains("BuildGuardScp", StringComparison.Ordinal)).Key;
        var document = JsonNode.Parse(DeployedSet.ScpText(new ResolvedTemplate(template, account)))!;
        edit(document["Statement"]!.AsArray());
        outputs[key]!["Value"] = document.ToJsonString();
    }

    private static JsonObject Resource(JsonObject template, string id) =>
        (JsonObject?)template["Resources"]![id] ?? throw new InvalidOperationException($"no resource {id} in the template");

    private static JsonObject AllowEverywhere(string action) => new() { ["Effect"] = "Allow", ["Action"] = action, ["Resource"] = "*" };

    private static JsonObject Document(JsonObject statement) => new() { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(statement) };
}
