using YoungCarers.Domain.Family;

namespace YoungCarers.Domain.Tests.Family;

public sealed class StableOrderTests
{
    [Fact]
    public void Items_are_ordered_and_equal_ones_keep_the_order_they_came_in()
    {
        (int Key, string Name)[] items = [(3, "c"), (1, "a1"), (2, "b"), (1, "a2"), (0, "z"), (1, "a3")];

        var sorted = StableOrder.Sorted(items, (x, y) => x.Key.CompareTo(y.Key));

        Assert.Equal(["z", "a1", "a2", "a3", "b", "c"], sorted.Select(item => item.Name));
        Assert.Equal(items.OrderBy(item => item.Key).Select(item => item.Name), sorted.Select(item => item.Name));
    }

    [Fact]
    public void A_list_already_in_order_is_returned_as_it_is()
    {
        string[] items = ["a", "b", "b", "c"];

        Assert.Same(items, StableOrder.Sorted(items, string.CompareOrdinal));
    }
}
