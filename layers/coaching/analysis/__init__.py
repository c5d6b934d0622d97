"""Pure analysis rules over a Transcript: who spoke how much, who coached, what each client said."""
