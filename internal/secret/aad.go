package secret

// AAD binds a ciphertext to the row and column that hold it, so a value
// copied to another row fails to decrypt. Every encrypted column uses it,
// and `whatpro secrets rotate` relies on the same binding.
func AAD(table, column, id string) []byte {
	return []byte(table + "." + column + ":" + id)
}
