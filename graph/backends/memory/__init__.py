"""The embedded backend: a read-only index of the artifact (`index`), the class that answers
the contract from it (`backend`), and the vectorised path search (`paths`)."""
