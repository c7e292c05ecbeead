pub use aws_sdk_s3;
