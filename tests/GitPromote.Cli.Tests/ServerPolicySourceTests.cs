using GitPromote.Cli.Infrastructure;
using GitPromote.Cli.Server;
using GitPromote.Cli.Tests.Support;
using GitPromote.Platform;
using GitPromote.TestSupport;

namespace GitPromote.Cli.Tests;

/// <summary>
/// The server trusts only a policy a pusher cannot write: the admin's file, or the pinned branch as it is before the push.
/// A missing or unguarded source refuses every push; it never falls back to another.
/// </summary>
public sealed class ServerPolicySourceTests : IDisposable
{
    private const string Guarding = "refs/heads/main";
    private static readonly string Tip = Ids.Sha1('a');
    private static readonly string OtherTip = Ids.Sha1('b');

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private FakeRepository BareWithHead(string headBranch)
    {
        File.WriteAllText(_dir.Combine("HEAD"), $"ref: {headBranch}\n");
        return new FakeRepository(_dir.Path);
    }

    private static ServerSettings PinnedTo(string branch) => new("stg", null, null) { PolicyRef = branch };

    [Fact]
    public void The_policy_on_the_pinned_branch_is_trusted_when_it_guards_that_branch()
    {
        var repo = BareWithHead(Guarding).Branch(Guarding, Tip, (".promote.yml", PolicyYaml.DevThenStg("main")));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, PinnedTo(Guarding), "orders");

        Assert.Null(trusted.Problem);
        Assert.Equal("orders", trusted.Loaded!.Policy.Name);
    }

    [Fact]
    public void A_missing_pinned_branch_refuses_every_push_and_never_falls_back_to_the_branch_HEAD_names()
    {
        var repo = BareWithHead("refs/heads/main").Branch("refs/heads/main", OtherTip, (".promote.yml", PolicyYaml.DevThenStg("main")));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, PinnedTo("refs/heads/policy"), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("policy, does not exist", trusted.Problem);
        Assert.DoesNotContain("refs/heads/main", repo.FilesReadAt);
    }

    [Fact]
    public void A_pinned_branch_without_a_policy_file_is_no_policy()
    {
        var repo = BareWithHead(Guarding).Branch(Guarding, Tip);

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, PinnedTo(Guarding), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("has no .promote.yml", trusted.Problem);
    }

    [Fact]
    public void A_policy_on_a_branch_it_does_not_guard_is_not_trusted_since_any_push_could_rewrite_it()
    {
        var repo = BareWithHead(Guarding).Branch("refs/heads/policy", Tip, (".promote.yml", PolicyYaml.DevThenStg("main")));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, PinnedTo("refs/heads/policy"), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("does not list policy in 'branches'", trusted.Problem);
    }

    [Fact]
    public void Without_a_pin_a_detached_HEAD_is_no_policy()
    {
        File.WriteAllText(_dir.Combine("HEAD"), Tip + "\n");
        var repo = new FakeRepository(_dir.Path).Branch(Guarding, Tip, (".promote.yml", PolicyYaml.DevThenStg("main")));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, new ServerSettings("stg", null, null), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("HEAD names no branch", trusted.Problem);
    }

    [Fact]
    public void A_HEAD_naming_a_ref_outside_the_branches_is_not_followed()
    {
        var repo = BareWithHead("refs/promote/green/x").Branch("refs/promote/green/x", Tip, (".promote.yml", PolicyYaml.DevThenStg("main")));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), repo, new ServerSettings("stg", null, null), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Empty(repo.FilesReadAt);
    }

    [Fact]
    public void A_relative_policy_file_setting_is_refused_without_naming_a_server_path()
    {
        var trusted = ServerPolicySource.Load(new SystemFileSystem(), new FakeRepository(_dir.Path),
            new ServerSettings("stg", "policies/orders.yml", null), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("must be an absolute path", trusted.Problem);
    }

    [Fact]
    public void A_missing_policy_file_is_named_by_its_setting_not_its_path()
    {
        var path = _dir.Combine("secret-admin-folder", "orders.yml");

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), new FakeRepository(_dir.Path), new ServerSettings("stg", path, null), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("does not exist", trusted.Problem);
        Assert.DoesNotContain("secret-admin-folder", trusted.Problem);
    }

    [Fact]
    public void An_oversized_policy_file_is_refused_unread()
    {
        var path = _dir.Combine("orders.yml");
        File.WriteAllText(path, PolicyYaml.DevThenStg("main") + new string('#', 2 << 20));

        var trusted = ServerPolicySource.Load(new SystemFileSystem(), new FakeRepository(_dir.Path), new ServerSettings("stg", path, null), "orders");

        Assert.Null(trusted.Loaded);
        Assert.Contains("is larger than", trusted.Problem);
    }
}
