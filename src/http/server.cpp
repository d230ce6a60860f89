// Implemented by the http server work in progress.
