// A service's operations must be operations.
// expect: E0225 8:18
$version: "2"
namespace example.invalid

service Shop {
    version: "1"
    operations: [Item]
}

structure Item {}
