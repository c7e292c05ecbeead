// intEnum members need an integer value.
// expect: E0216 8:5
$version: "2"
namespace example.invalid

intEnum Level {
    LOW = 1
    HIGH
}
