namespace example.service

/// A service without a version is accepted in 1.0 (upstream does).
service Counter {
    operations: [Increment, Get]
}

service Versioned {
    version: "2024-01-01",
    operations: [Get],
    errors: [Oops],
}

operation Increment {
    input: IncrementRequest,
    output: CountResponse,
    errors: [Oops]
}

@readonly
operation Get {
    output: CountResponse
}

operation Ping {}

structure IncrementRequest {
    @required
    key: String,
    value: Integer,
}

structure CountResponse {
    @required
    count: Long
}

@error("client")
structure Oops {
    message: String
}
