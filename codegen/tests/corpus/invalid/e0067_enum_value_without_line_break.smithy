// An enum value assignment must end its line.
// expect: E0067 6:13
$version: "2.0"
namespace example.invalid
intEnum Level {
    LOW = 1 HIGH = 2
}
