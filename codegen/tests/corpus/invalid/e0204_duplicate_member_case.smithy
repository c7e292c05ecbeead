// Member names are compared ignoring case.
// expect: E0204 8:5
$version: "2"
namespace example.invalid

structure Person {
    name: String
    Name: String
}
