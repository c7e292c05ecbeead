// Shape names in a service closure must be unique ignoring case.
// expect: E0224 20:1
$version: "2"
namespace example.invalid

service Shop {
    version: "1"
    operations: [Buy]
}

operation Buy {
    input := {
        item: Item
        other: ITEM
    }
}

structure Item {}

structure ITEM {}
