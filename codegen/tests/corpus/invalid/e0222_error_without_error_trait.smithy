// Operation errors must be structures marked @error.
// expect: E0222 7:14
$version: "2"
namespace example.invalid

operation Put {
    errors: [Oops]
}

structure Oops {}
