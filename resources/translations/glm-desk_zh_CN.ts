<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Backend</name>
    <message>
        <source>{provider} did not answer within {seconds:.0f} s. Check the address, your network and the proxy setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected: {provider} answered with {model} in {ms:.0f} ms.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatError</name>
    <message>
        <source>Offline mode is on: nothing is sent to {provider} or any other server off this machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No base URL is set for {provider}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No API key is set for {provider}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set {names} in the environment, or switch to the local model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection closed before the answer was finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} did not answer in time (connecting).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} did not answer in time (waiting).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing is answering at {host}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start llama-server (or your local server), or check the URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not connect to {host}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to {provider} dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The URL {url} is not a valid http(s) URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Talking to {provider} failed: {error}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} sent data that is not a valid chat stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} stopped the answer with an error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the API key for {provider} (set it in the environment or settings).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add credit to your {provider} account, or switch to the local model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait a moment and retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait until the limit resets, or switch provider or to the local model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry in a little while, or switch provider or to the local model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the model to finish loading, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shorten the conversation (start a new tab or remove earlier messages).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the generation settings, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the endpoint URL and model id for {provider}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rephrase the request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry in a little while.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check your network connection, or switch to the local model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry; if it keeps happening, check your network or the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry; if it keeps happening, the endpoint may not be OpenAI-compatible.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry to get a complete answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch to the local model, or turn Offline mode off to use {provider}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry in {seconds:.0f} s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the provider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} rejected the API key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1001</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1002</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1003</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1004</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your {provider} account has no balance left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider}: too many requests at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider}: requests are too frequent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} is overloaded right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model is overloaded on {provider} right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The daily request limit on {provider} is used up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A usage limit on {provider} is reached.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} did not accept a request parameter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} does not know this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation is too long for the model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} refused the content as unsafe.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your {provider} account is out of credits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} refused the request (moderation).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} has no such endpoint or model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} timed out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request is too large for {provider}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} is rate-limiting requests.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} is unavailable right now (HTTP {status}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} had a server error (HTTP {status}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} rejected the request (HTTP {status}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation is too long for the model&apos;s context window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The conversation ({n_prompt:,} tokens) is larger than the model&apos;s context window ({n_ctx:,} tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local model is still loading.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{provider} reported an error during the answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer was cut off at the output limit (max tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider stopped the answer: content flagged as sensitive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The provider stopped the answer: content filter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer stopped: the model&apos;s context window is full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong in GLM Desk: {error}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} earlier messages were left out so the conversation fits the model&apos;s context ({n_ctx:,} tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} earlier message was left out so the conversation fits the model&apos;s context ({n_ctx:,} tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to {provider}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streaming from {provider} · {rate:.0f} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{error} Retrying in {seconds:.0f} s (attempt {n})…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped · the partial answer is kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done · {provider}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{rate:.0f} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GgufInfo</name>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n:,} tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (the server&apos;s default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not a regular file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not a GGUF model file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is a GGUF version {version} file, too old to read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} could not be read as a GGUF model: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryService</name>
    <message>
        <source>History is off for this session: {error} Conversations are kept only until GLM Desk closes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save history: the disk is full. Your conversations are kept in memory; Free some space and GLM Desk will save them again automatically.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save history: the history file is read-only. Your conversations are kept in memory; Make {folder} writable and GLM Desk will save them again automatically.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save history: {error}. Your conversations are kept in memory; Check the disk and GLM Desk will save them again automatically.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryStore</name>
    <message>
        <source>The history file could not be read ({error}); it was moved to {file} and a new, empty history was started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} was not a GLM Desk history; it was moved to {file} and a new history was started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The history was written by a newer GLM Desk (schema {version}); update GLM Desk to open it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The history was upgraded from schema {old} to {new}; a copy of the old file is at {file}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportRefused</name>
    <message>
        <source>it is not JSON ({error} at line {line})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a GLM Desk export is a JSON list of conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>conversation {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} is not an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} has no {kind} &apos;{key}&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} has no number &apos;created&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>message {i} of {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} has an unknown role {role}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} has no text &apos;content&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} has an unknown state {state}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{where} could not be read ({error})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LocalServer</name>
    <message>
        <source>The local server is already starting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>llama-server was not found. Install llama.cpp, or set the path of its llama-server program in the local server settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model file {path} does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>llama-server could not be started: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Provider and model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the answer and keep what arrived (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import conversations…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This conversation as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This conversation as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All conversations as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All conversations as Markdown…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search all conversations…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About {app}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · offline: not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · no API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied the message.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the answer to finish, or press Stop (Esc).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Editing your message: Enter sends it as a new version (the old one is kept and can be switched back to). Esc cancels.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SecretStore</name>
    <message>
        <source>Keys you enter now are kept for this session only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>check that your login Keychain is unlocked (Keychain Access), then restart GLM Desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>check that Windows Credential Manager is available, then restart GLM Desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>install and start gnome-keyring (or KWallet), then restart GLM Desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keyring service is running: {how} {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The only keyring found is {name} (from keyrings.alt), which keeps keys in a file; GLM Desk does not use it. To keep keys safely, {how} {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring is locked or has no default collection{detail}: unlock it (or create a default keyring, e.g. in Passwords and Keys / Seahorse), then restart GLM Desk. {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring is locked or has no default collection{detail}: unlock it, then restart GLM Desk. {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring service could not be reached{detail}: {how} {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring failed{detail}: {how} {session}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keyring is turned off ({variable}). {session}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SnippetFiles</name>
    <message>
        <source>{name} is not a safe file name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} would be written outside {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} could not be written ({error}); {n} of {total} files were saved before it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} cannot be read: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is {size:.1f} MB; files over {limit:.0f} MB are not compared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is over {limit:.0f} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is a binary file, not text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is not UTF-8 text</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
