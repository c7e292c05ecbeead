// @timestampFormat takes one of its enum values.
// expect: E0211 7:22
$version: "2"
namespace example.invalid

structure Event {
    @timestampFormat("iso8601")
    at: Timestamp
}
