// A default value that does not fit the target.
// expect: E0219 7:24
$version: "2"
namespace example.invalid

structure Settings {
    retries: Integer = "three"
}
