using GitPromote.Core.Push;

namespace GitPromote.Core.Tests.Push;

public class ObjectIdsTests
{
    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef01234567", true)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("0123456789ABCDEF0123456789abcdef01234567", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456", false)]
    [InlineData("0123456789abcdef0123456789abcdef012345678", false)]
    [InlineData("g123456789abcdef0123456789abcdef01234567", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Valid_ids_are_40_or_64_lowercase_hex_digits(string? id, bool expected)
    {
        Assert.Equal(expected, ObjectIds.IsValid(id));
    }

    [Theory]
    [InlineData(40, true)]
    [InlineData(64, true)]
    [InlineData(39, false)]
    [InlineData(0, false)]
    public void Zero_ids_are_40_or_64_zeros(int length, bool expected)
    {
        Assert.Equal(expected, ObjectIds.IsZero(new string('0', length)));
        Assert.False(ObjectIds.IsZero(new string('0', Math.Max(0, length - 1)) + "1"));
    }

    [Fact]
    public void Short_form_is_twelve_characters()
    {
        Assert.Equal("0123456789ab", ObjectIds.Short("0123456789abcdef0123456789abcdef01234567"));
        Assert.Equal("abc", ObjectIds.Short("abc"));
    }
}
