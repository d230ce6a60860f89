// Implemented by the http client work in progress.
