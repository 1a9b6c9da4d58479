"""Media: upload checks (type sniffing, size, bombs, polyglots), metadata stripping, video
posters, storage, and evidence originals kept byte-exact with their SHA-256."""
