<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>About {app}</source>
        <translation>关于 {app}</translation>
    </message>
    <message>
        <source>A native desktop chat and coding assistant for GLM-4-32B.</source>
        <translation>GLM-4-32B 的原生桌面聊天与编程助手。</translation>
    </message>
    <message>
        <source>Open data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
</context>
<context>
    <name>ApprovalBar</name>
    <message>
        <source>Allow once</source>
        <translation>允许一次</translation>
    </message>
    <message>
        <source>Run this call (Ctrl+Enter)</source>
        <translation>运行这次调用（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Allow for this conversation</source>
        <translation>在本对话中允许</translation>
    </message>
    <message>
        <source>Always allow this tool</source>
        <translation>始终允许此工具</translation>
    </message>
    <message>
        <source>Add it to the server&apos;s alwaysAllow: it runs without asking from now on</source>
        <translation>加入该服务器的 alwaysAllow：今后运行时不再询问</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Do not run it; the model is told (Esc)</source>
        <translation>不运行；会告知模型（Esc）</translation>
    </message>
</context>
<context>
    <name>Backend</name>
    <message>
        <source>{provider} did not answer within {seconds:.0f} s. Check the address, your network and the proxy setting.</source>
        <translation>{provider} 在 {seconds:.0f} 秒内没有响应。请检查地址、网络和代理设置。</translation>
    </message>
    <message>
        <source>Connected: {provider} answered with {model} in {ms:.0f} ms.</source>
        <translation>已连接：{provider} 使用 {model} 在 {ms:.0f} 毫秒内响应。</translation>
    </message>
</context>
<context>
    <name>ChatError</name>
    <message>
        <source>Offline mode is on: nothing is sent to {provider} or any other server off this machine.</source>
        <translation>离线模式已开启：不会向 {provider} 或本机以外的任何服务器发送内容。</translation>
    </message>
    <message>
        <source>No base URL is set for {provider}.</source>
        <translation>未设置 {provider} 的接口地址。</translation>
    </message>
    <message>
        <source>No API key is set for {provider}.</source>
        <translation>未设置 {provider} 的 API 密钥。</translation>
    </message>
    <message>
        <source>Set {names} in the environment, or switch to the local model.</source>
        <translation>请在环境变量中设置 {names}，或切换到本地模型。</translation>
    </message>
    <message>
        <source>The connection closed before the answer was finished.</source>
        <translation>回答尚未完成，连接就已关闭。</translation>
    </message>
    <message>
        <source>{provider} did not answer in time (connecting).</source>
        <translation>{provider} 响应超时（连接时）。</translation>
    </message>
    <message>
        <source>{provider} did not answer in time (waiting).</source>
        <translation>{provider} 响应超时（等待回答时）。</translation>
    </message>
    <message>
        <source>Nothing is answering at {host}.</source>
        <translation>{host} 上没有服务响应。</translation>
    </message>
    <message>
        <source>Start llama-server (or your local server), or check the URL.</source>
        <translation>请启动 llama-server（或你的本地服务器），或检查地址。</translation>
    </message>
    <message>
        <source>Could not connect to {host}.</source>
        <translation>无法连接到 {host}。</translation>
    </message>
    <message>
        <source>The connection to {provider} dropped.</source>
        <translation>与 {provider} 的连接已断开。</translation>
    </message>
    <message>
        <source>The URL {url} is not a valid http(s) URL.</source>
        <translation>地址 {url} 不是有效的 http(s) 地址。</translation>
    </message>
    <message>
        <source>Talking to {provider} failed: {error}.</source>
        <translation>与 {provider} 通信失败：{error}。</translation>
    </message>
    <message>
        <source>{provider} sent data that is not a valid chat stream.</source>
        <translation>{provider} 返回的数据不是有效的聊天流。</translation>
    </message>
    <message>
        <source>{provider} stopped the answer with an error.</source>
        <translation>{provider} 因出错中止了回答。</translation>
    </message>
    <message>
        <source>Check the API key for {provider} (set it in the environment or settings).</source>
        <translation>请检查 {provider} 的 API 密钥（在环境变量或设置中设置）。</translation>
    </message>
    <message>
        <source>Add credit to your {provider} account, or switch to the local model.</source>
        <translation>请为你的 {provider} 账户充值，或切换到本地模型。</translation>
    </message>
    <message>
        <source>Wait a moment and retry.</source>
        <translation>请稍等片刻后重试。</translation>
    </message>
    <message>
        <source>Wait until the limit resets, or switch provider or to the local model.</source>
        <translation>请等待限额重置，或切换服务商或本地模型。</translation>
    </message>
    <message>
        <source>Retry in a little while, or switch provider or to the local model.</source>
        <translation>请稍后重试，或切换服务商或本地模型。</translation>
    </message>
    <message>
        <source>Wait for the model to finish loading, then retry.</source>
        <translation>请等待模型加载完成后重试。</translation>
    </message>
    <message>
        <source>Shorten the conversation (start a new tab or remove earlier messages).</source>
        <translation>请缩短对话（新建标签页或删除较早的消息）。</translation>
    </message>
    <message>
        <source>Check the generation settings, then retry.</source>
        <translation>请检查生成设置后重试。</translation>
    </message>
    <message>
        <source>Check the endpoint URL and model id for {provider}.</source>
        <translation>请检查 {provider} 的接口地址和模型 ID。</translation>
    </message>
    <message>
        <source>Rephrase the request.</source>
        <translation>请换一种说法。</translation>
    </message>
    <message>
        <source>Retry in a little while.</source>
        <translation>请稍后重试。</translation>
    </message>
    <message>
        <source>Check your network connection, or switch to the local model.</source>
        <translation>请检查网络连接，或切换到本地模型。</translation>
    </message>
    <message>
        <source>Retry; if it keeps happening, check your network or the server.</source>
        <translation>请重试；如果问题持续，请检查网络或服务器。</translation>
    </message>
    <message>
        <source>Retry; if it keeps happening, the endpoint may not be OpenAI-compatible.</source>
        <translation>请重试；如果问题持续，该接口可能不兼容 OpenAI。</translation>
    </message>
    <message>
        <source>Retry to get a complete answer.</source>
        <translation>请重试以获取完整回答。</translation>
    </message>
    <message>
        <source>Switch to the local model, or turn Offline mode off to use {provider}.</source>
        <translation>请切换到本地模型，或关闭离线模式以使用 {provider}。</translation>
    </message>
    <message>
        <source>Retry in {seconds:.0f} s.</source>
        <translation>{seconds:.0f} 秒后重试。</translation>
    </message>
    <message>
        <source>the provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>{provider} rejected the API key.</source>
        <translation>{provider} 拒绝了 API 密钥。</translation>
    </message>
    <message>
        <source>Your {provider} account has no balance left.</source>
        <translation>你的 {provider} 账户余额已用尽。</translation>
    </message>
    <message>
        <source>{provider}: too many requests at once.</source>
        <translation>{provider}：同时发出的请求过多。</translation>
    </message>
    <message>
        <source>{provider}: requests are too frequent.</source>
        <translation>{provider}：请求过于频繁。</translation>
    </message>
    <message>
        <source>{provider} is overloaded right now.</source>
        <translation>{provider} 当前负载过高。</translation>
    </message>
    <message>
        <source>The model is overloaded on {provider} right now.</source>
        <translation>{provider} 上的模型当前负载过高。</translation>
    </message>
    <message>
        <source>The daily request limit on {provider} is used up.</source>
        <translation>{provider} 的每日请求额度已用完。</translation>
    </message>
    <message>
        <source>A usage limit on {provider} is reached.</source>
        <translation>已达到 {provider} 的用量上限。</translation>
    </message>
    <message>
        <source>{provider} did not accept a request parameter.</source>
        <translation>{provider} 不接受某个请求参数。</translation>
    </message>
    <message>
        <source>{provider} does not know this model.</source>
        <translation>{provider} 不认识这个模型。</translation>
    </message>
    <message>
        <source>The conversation is too long for the model.</source>
        <translation>对话太长，超出了模型的处理能力。</translation>
    </message>
    <message>
        <source>{provider} refused the content as unsafe.</source>
        <translation>{provider} 认为内容不安全，拒绝处理。</translation>
    </message>
    <message>
        <source>Your {provider} account is out of credits.</source>
        <translation>你的 {provider} 账户额度已用完。</translation>
    </message>
    <message>
        <source>{provider} refused the request (moderation).</source>
        <translation>{provider} 拒绝了请求（内容审核）。</translation>
    </message>
    <message>
        <source>{provider} has no such endpoint or model.</source>
        <translation>{provider} 没有这个接口或模型。</translation>
    </message>
    <message>
        <source>{provider} timed out.</source>
        <translation>{provider} 超时。</translation>
    </message>
    <message>
        <source>The request is too large for {provider}.</source>
        <translation>请求太大，{provider} 无法处理。</translation>
    </message>
    <message>
        <source>{provider} is rate-limiting requests.</source>
        <translation>{provider} 正在限制请求频率。</translation>
    </message>
    <message>
        <source>{provider} is unavailable right now (HTTP {status}).</source>
        <translation>{provider} 当前不可用（HTTP {status}）。</translation>
    </message>
    <message>
        <source>{provider} had a server error (HTTP {status}).</source>
        <translation>{provider} 出现服务器错误（HTTP {status}）。</translation>
    </message>
    <message>
        <source>{provider} rejected the request (HTTP {status}).</source>
        <translation>{provider} 拒绝了请求（HTTP {status}）。</translation>
    </message>
    <message>
        <source>The conversation is too long for the model&apos;s context window.</source>
        <translation>对话太长，超出了模型的上下文窗口。</translation>
    </message>
    <message>
        <source>The conversation ({n_prompt:,} tokens) is larger than the model&apos;s context window ({n_ctx:,} tokens).</source>
        <translation>对话（{n_prompt:,} 个 token）超出了模型的上下文窗口（{n_ctx:,} 个 token）。</translation>
    </message>
    <message>
        <source>The local model is still loading.</source>
        <translation>本地模型仍在加载中。</translation>
    </message>
    <message>
        <source>{provider} reported an error during the answer.</source>
        <translation>{provider} 在回答过程中报告了错误。</translation>
    </message>
    <message>
        <source>OpenRouter no longer offers {model}. The paid {paid} is the same model ($0.10 per million tokens).</source>
        <translation>OpenRouter 已不再提供 {model}。付费的 {paid} 是同一个模型（每百万 token 0.10 美元）。</translation>
    </message>
    <message>
        <source>The free model&apos;s daily limit ({limit} requests) is used up. Try again after {when}, or use the paid {paid}.</source>
        <translation>免费模型的每日限额（{limit} 次请求）已用完。请在 {when} 之后再试，或使用付费的 {paid}。</translation>
    </message>
    <message>
        <source>The free model&apos;s limit of {limit} requests a minute was reached. Try again at {when}.</source>
        <translation>已达到免费模型每分钟 {limit} 次请求的限制。请在 {when} 再试。</translation>
    </message>
    <message>
        <source>The answer was cut off at the output limit (max tokens).</source>
        <translation>回答已达到输出上限（最大 token 数），被截断。</translation>
    </message>
    <message>
        <source>The provider stopped the answer: content flagged as sensitive.</source>
        <translation>服务商中止了回答：内容被标记为敏感。</translation>
    </message>
    <message>
        <source>The provider stopped the answer: content filter.</source>
        <translation>服务商中止了回答：内容过滤。</translation>
    </message>
    <message>
        <source>The answer stopped: the model&apos;s context window is full.</source>
        <translation>回答已停止：模型的上下文窗口已满。</translation>
    </message>
    <message>
        <source>Something went wrong in GLM Desk: {error}.</source>
        <translation>GLM Desk 内部出错：{error}。</translation>
    </message>
</context>
<context>
    <name>ChatSession</name>
    <message>
        <source>Stopped after {n} rounds of tool calls (the limit, tools.max_rounds). Send a message to go on.</source>
        <translation>已在 {n} 轮工具调用后停止（上限 tools.max_rounds）。发送一条消息即可继续。</translation>
    </message>
    <message>
        <source>This model does not take tools here ({provider}); the conversation goes on without them.</source>
        <translation>该模型在这里（{provider}）不接受工具；对话将在不使用工具的情况下继续。</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>{n} earlier messages were left out so the conversation fits the model&apos;s context ({n_ctx:,} tokens).</source>
        <translation>为适应模型的上下文（{n_ctx:,} 个 token），省略了较早的 {n} 条消息。</translation>
    </message>
    <message>
        <source>{n} earlier message was left out so the conversation fits the model&apos;s context ({n_ctx:,} tokens).</source>
        <translation>为适应模型的上下文（{n_ctx:,} 个 token），省略了较早的 {n} 条消息。</translation>
    </message>
    <message>
        <source>Connecting to {provider}…</source>
        <translation>正在连接 {provider}…</translation>
    </message>
    <message>
        <source>Streaming from {provider} · {rate:.0f} tokens/s</source>
        <translation>正在接收 {provider} 的回答 · {rate:.0f} token/秒</translation>
    </message>
    <message>
        <source>{error} Retrying in {seconds:.0f} s (attempt {n})…</source>
        <translation>{error} {seconds:.0f} 秒后重试（第 {n} 次尝试）…</translation>
    </message>
    <message>
        <source>Stopped · the partial answer is kept</source>
        <translation>已停止 · 已保留部分回答</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Error: {message}</source>
        <translation>错误：{message}</translation>
    </message>
    <message>
        <source>Starting MCP servers…</source>
        <translation>正在启动 MCP 服务器…</translation>
    </message>
    <message>
        <source>Waiting for your approval: {tool}</source>
        <translation>等待你的批准：{tool}</translation>
    </message>
    <message>
        <source>Running {tool}…</source>
        <translation>正在运行 {tool}…</translation>
    </message>
    <message>
        <source>Done · {provider}</source>
        <translation>完成 · {provider}</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} 个 token</translation>
    </message>
    <message>
        <source>{rate:.0f} tokens/s</source>
        <translation>{rate:.0f} token/秒</translation>
    </message>
</context>
<context>
    <name>ChatTab</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Copied the message.</source>
        <translation>已复制消息。</translation>
    </message>
    <message>
        <source>Wait for the answer to finish, or press Stop (Esc).</source>
        <translation>请等待回答完成，或按“停止”（Esc）。</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>⚠ Interrupted: GLM Desk ended before this answer was finished.</source>
        <translation>⚠ 已中断：GLM Desk 在这条回答完成前退出了。</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Show %n earlier message(s)</source>
        <translation>显示较早的 %n 条消息</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>version {n}/{count}</source>
        <translation>版本 {n}/{count}</translation>
    </message>
    <message>
        <source>waiting for your approval</source>
        <translation>等待你的批准</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>已拒绝执行</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已被你拒绝</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>sent as text (this server&apos;s template keeps no tool calls)</source>
        <translation>以文本发送（此服务器的模板不保留工具调用）</translation>
    </message>
    <message>
        <source>Show less</source>
        <translation>收起</translation>
    </message>
    <message>
        <source>Show all {n} lines</source>
        <translation>显示全部 {n} 行</translation>
    </message>
    <message>
        <source>Not valid JSON: {problem} at line {line}, column {column}. The answer is kept as it came.</source>
        <translation>不是有效的 JSON：第 {line} 行第 {column} 列，{problem}。回答按原样保留。</translation>
    </message>
    <message>
        <source>Not valid JSON: {problem}. The answer is kept as it came.</source>
        <translation>不是有效的 JSON：{problem}。回答按原样保留。</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>The answer was interrupted. {error}</source>
        <translation>回答被中断。{error}</translation>
    </message>
    <message>
        <source>(server said: {detail})</source>
        <translation>（服务器返回：{detail}）</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Trim the history and retry</source>
        <translation>精简历史后重试</translation>
    </message>
    <message>
        <source>Switch to the local model</source>
        <translation>切换到本地模型</translation>
    </message>
    <message>
        <source>Use {model}</source>
        <translation>使用 {model}</translation>
    </message>
    <message>
        <source> … [{n} more characters on this line: Copy the message to get all of it]</source>
        <translation> …［本行还有 {n} 个字符未显示：复制这条消息即可得到全部内容］</translation>
    </message>
    <message>
        <source>[… {n} more rows are not shown: Copy the message to get all of them]</source>
        <translation>［…… 还有 {n} 行未显示：复制这条消息即可得到全部内容］</translation>
    </message>
    <message>
        <source>… {n} more lines of this code block are not shown here: open it in the code pane to see all of it</source>
        <translation>…… 此代码块还有 {n} 行未在此显示：在代码面板中打开即可看到全部内容</translation>
    </message>
    <message>
        <source>[… {n} more characters are not shown: Copy the message, or export the conversation, to get all of it]</source>
        <translation>［…… 还有 {n} 个字符未显示：复制这条消息或导出对话即可得到全部内容］</translation>
    </message>
</context>
<context>
    <name>CodeBlockActions</name>
    <message>
        <source>Code block actions</source>
        <translation>代码块操作</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run this code in the sandbox</source>
        <translation>在沙箱中运行这段代码</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this code</source>
        <translation>复制这段代码</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save this code to a file</source>
        <translation>将这段代码保存到文件</translation>
    </message>
    <message>
        <source>Open in code pane</source>
        <translation>在代码面板中打开</translation>
    </message>
    <message>
        <source>Show this code in the code pane</source>
        <translation>在代码面板中显示这段代码</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
</context>
<context>
    <name>CodeBlocksMixin</name>
    <message>
        <source>Could not save the code</source>
        <translation>无法保存代码</translation>
    </message>
    <message>
        <source>{path}: {error}</source>
        <translation>{path}：{error}</translation>
    </message>
    <message>
        <source>Save code as</source>
        <translation>代码另存为</translation>
    </message>
    <message>
        <source>Run code</source>
        <translation>运行代码</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Save code as…</source>
        <translation>代码另存为…</translation>
    </message>
    <message>
        <source>Open in code pane</source>
        <translation>在代码面板中打开</translation>
    </message>
</context>
<context>
    <name>CodePane</name>
    <message>
        <source>Code pane</source>
        <translation>代码面板</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Snippet version</source>
        <translation>代码片段版本</translation>
    </message>
    <message>
        <source>Versions of this file from later or regenerated answers</source>
        <translation>此文件在后续或重新生成的回答中的版本</translation>
    </message>
    <message>
        <source>Diff</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Diff with previous version</source>
        <translation>与上一版本比较</translation>
    </message>
    <message>
        <source>Show what changed from the previous version</source>
        <translation>显示与上一版本相比的改动</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Uncheck to edit the snippet; edits stay with it while the conversation is open</source>
        <translation>取消勾选即可编辑代码片段；对话打开期间修改会一直保留</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the snippet in the sandbox (Ctrl+R)</source>
        <translation>在沙箱中运行代码片段（Ctrl+R）</translation>
    </message>
    <message>
        <source>Code snippets</source>
        <translation>代码片段</translation>
    </message>
    <message>
        <source>Snippet details</source>
        <translation>代码片段详情</translation>
    </message>
    <message>
        <source>Code blocks from the conversation appear here.</source>
        <translation>对话中的代码块会显示在这里。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Save snippet as</source>
        <translation>代码片段另存为</translation>
    </message>
    <message>
        <source>Save all…</source>
        <translation>全部保存…</translation>
    </message>
    <message>
        <source>Save all snippets</source>
        <translation>保存全部代码片段</translation>
    </message>
    <message>
        <source>Compare…</source>
        <translation>比较…</translation>
    </message>
    <message>
        <source>Compare with file</source>
        <translation>与文件比较</translation>
    </message>
    <message>
        <source>Apply…</source>
        <translation>应用…</translation>
    </message>
    <message>
        <source>Apply to file</source>
        <translation>应用到文件</translation>
    </message>
    <message>
        <source>Code pane status</source>
        <translation>代码面板状态</translation>
    </message>
    <message>
        <source>  ({n} versions)</source>
        <translation>  （{n} 个版本）</translation>
    </message>
    <message>
        <source>answer {n}</source>
        <translation>第 {n} 个回答</translation>
    </message>
    <message>
        <source>answer {n}, another version</source>
        <translation>第 {n} 个回答，另一版本</translation>
    </message>
    <message>
        <source>unnamed</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>%n line(s)</source>
        <translation>%n 行</translation>
    </message>
    <message>
        <source>unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>too long to edit here: the first {lines} lines are shown; Copy, Save, Compare and Apply use all of it</source>
        <translation>太长，无法在此编辑：仅显示前 {lines} 行；复制、保存、比较和应用使用全部内容</translation>
    </message>
    <message>
        <source>Editing</source>
        <translation>编辑中</translation>
    </message>
    <message>
        <source>Copied the code.</source>
        <translation>已复制代码。</translation>
    </message>
    <message>
        <source>snippet</source>
        <translation>代码片段</translation>
    </message>
</context>
<context>
    <name>CompareController</name>
    <message>
        <source>Compare…</source>
        <translation>对比…</translation>
    </message>
    <message>
        <source>Send the question to two providers or models at once, side by side</source>
        <translation>把问题同时发给两个服务商或模型，并排显示</translation>
    </message>
    <message>
        <source>Type the question to compare first.</source>
        <translation>请先输入要对比的问题。</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <source>Compare two models</source>
        <translation>对比两个模型</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Model (empty: its own)</source>
        <translation>模型（留空：使用其默认）</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>its own</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>The composer&apos;s text goes to both at once. Stopping one, or an error on one, leaves the other going.</source>
        <translation>输入框中的文字会同时发给两边。停止其中一边或一边出错，另一边照常继续。</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Compare: the same question to two models</source>
        <translation>对比：同一个问题问两个模型</translation>
    </message>
    <message>
        <source>Back to the conversation</source>
        <translation>返回对话</translation>
    </message>
    <message>
        <source>Waiting for the first token…</source>
        <translation>正在等待第一个 token…</translation>
    </message>
    <message>
        <source>first token {s} s</source>
        <translation>首个 token {s} 秒</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} token/秒</translation>
    </message>
    <message>
        <source>{n} tokens</source>
        <translation>{n} 个 token</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>The two answers are the same.</source>
        <translation>两个回答完全相同。</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message composer</source>
        <translation>消息输入框</translation>
    </message>
    <message>
        <source>Ask GLM-4…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>向 GLM-4 提问…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <source>Not pasted: that text has {n} characters, and a message can have at most {limit}. Paste a part of it, or send it in several messages.</source>
        <translation>未粘贴：这段文字有 {n} 个字符，而一条消息最多 {limit} 个字符。请粘贴其中一部分，或分成几条消息发送。</translation>
    </message>
    <message>
        <source>Not sent: this message has {n} characters, and a message can have at most {limit}. Shorten it, or send it in several messages.</source>
        <translation>未发送：这条消息有 {n} 个字符，而一条消息最多 {limit} 个字符。请缩短它，或分成几条消息发送。</translation>
    </message>
</context>
<context>
    <name>ContextMeter</name>
    <message>
        <source>The conversation is too long</source>
        <translation>对话太长了</translation>
    </message>
    <message>
        <source>This conversation no longer fits the model&apos;s context window. Sent now, its earliest messages are left out of the request (the answer says how many). Or start a new conversation with a summary of this one.</source>
        <translation>这个对话已超出模型的上下文窗口。现在发送的话，最早的消息会被省略（回答会说明省略了几条）。也可以用本对话的摘要开始一个新对话。</translation>
    </message>
    <message>
        <source>Send anyway</source>
        <translation>仍然发送</translation>
    </message>
    <message>
        <source>New conversation with a summary</source>
        <translation>用摘要开始新对话</translation>
    </message>
    <message>
        <source>{mark}{used} / {window} tokens</source>
        <translation>{mark}{used} / {window} 个 token</translation>
    </message>
    <message>
        <source>Past {provider}&apos;s context window: the earliest messages will be left out of the next request (it says how many). Start a new conversation to keep them all.</source>
        <translation>已超出 {provider} 的上下文窗口：下一次请求会省略最早的消息（会说明省略了几条）。要保留全部内容，请开始一个新对话。</translation>
    </message>
    <message>
        <source>counted by the server</source>
        <translation>由服务器计数</translation>
    </message>
    <message>
        <source>estimated</source>
        <translation>估算</translation>
    </message>
    <message>
        <source>{percent:.0f} % of {provider}&apos;s context window ({how})</source>
        <translation>占 {provider} 上下文窗口的 {percent:.0f}%（{how}）</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>Server default</source>
        <translation>服务器默认值</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Search the web for answers (Z.AI, OpenRouter)</source>
        <translation>联网搜索以回答（Z.AI、OpenRouter）</translation>
    </message>
    <message>
        <source>Optional: a template with {{knowledge}} and {{question}}</source>
        <translation>可选：包含 {{knowledge}} 和 {{question}} 的模板</translation>
    </message>
    <message>
        <source>Answer in JSON (Z.AI, a local model)</source>
        <translation>以 JSON 回答（Z.AI、本地模型）</translation>
    </message>
    <message>
        <source>Optional, local model only: a JSON schema the answer must follow</source>
        <translation>可选，仅限本地模型：回答必须遵循的 JSON schema</translation>
    </message>
    <message>
        <source>Use the provider&apos;s settings</source>
        <translation>使用服务商的设置</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top p:</source>
        <translation>Top p 采样：</translation>
    </message>
    <message>
        <source>Maximum answer length:</source>
        <translation>最大回答长度：</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <source>Knowledge base (Z.AI):</source>
        <translation>知识库（Z.AI）：</translation>
    </message>
    <message>
        <source>Its prompt template:</source>
        <translation>知识库提示模板：</translation>
    </message>
    <message>
        <source>JSON schema:</source>
        <translation>JSON 模式定义：</translation>
    </message>
    <message>
        <source>For this conversation only; the values that differ from the provider&apos;s settings (Settings → Generation) are kept with it.</source>
        <translation>仅用于此对话；与服务商设置（设置 → 生成）不同的值会随对话一起保存。</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
</context>
<context>
    <name>ConversationTabs</name>
    <message>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
</context>
<context>
    <name>DiffDialog</name>
    <message>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Unified diff</source>
        <translation>统一差异格式</translation>
    </message>
    <message>
        <source>{what}: %n line(s) added, {removed} removed.</source>
        <translation>{what}：新增 %n 行，删除 {removed} 行。</translation>
    </message>
    <message>
        <source>{what}: no differences.</source>
        <translation>{what}：没有差异。</translation>
    </message>
    <message>
        <source>(no differences)</source>
        <translation>（没有差异）</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Find in code</source>
        <translation>在代码中查找</translation>
    </message>
    <message>
        <source>Find text</source>
        <translation>查找内容</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Find result</source>
        <translation>查找结果</translation>
    </message>
    <message>
        <source>Previous match</source>
        <translation>上一个匹配</translation>
    </message>
    <message>
        <source>Next match</source>
        <translation>下一个匹配</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{action} ({key})</source>
        <translation>{action}（{key}）</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
</context>
<context>
    <name>GgufInfo</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>{n:,} tokens</source>
        <translation>{n:,} 个 token</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <source>none (the server&apos;s default)</source>
        <translation>无（使用服务器默认模板）</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Quantisation</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>聊天模板</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>{name} is not a regular file.</source>
        <translation>{name} 不是普通文件。</translation>
    </message>
    <message>
        <source>{name} is not a GGUF model file.</source>
        <translation>{name} 不是 GGUF 模型文件。</translation>
    </message>
    <message>
        <source>{name} is a GGUF version {version} file, too old to read.</source>
        <translation>{name} 是 GGUF 版本 {version} 的文件，版本太旧，无法读取。</translation>
    </message>
    <message>
        <source>{name} could not be read as a GGUF model: {error}</source>
        <translation>无法将 {name} 作为 GGUF 模型读取：{error}</translation>
    </message>
</context>
<context>
    <name>HistoryController</name>
    <message>
        <source>&amp;Search all conversations…</source>
        <translation>搜索全部对话(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Import conversations…</source>
        <translation>导入对话(&amp;I)…</translation>
    </message>
    <message>
        <source>This conversation as Markdown…</source>
        <translation>此对话导出为 Markdown…</translation>
    </message>
    <message>
        <source>This conversation as JSON…</source>
        <translation>此对话导出为 JSON…</translation>
    </message>
    <message>
        <source>All conversations as JSON…</source>
        <translation>全部对话导出为 JSON…</translation>
    </message>
    <message>
        <source>All conversations as Markdown…</source>
        <translation>全部对话导出为 Markdown…</translation>
    </message>
    <message>
        <source>That conversation is no longer in the history.</source>
        <translation>该对话已不在历史记录中。</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>“{title}” moved to the Trash.</source>
        <translation>“{title}”已移到回收站。</translation>
    </message>
    <message>
        <source>Delete forever</source>
        <translation>永久删除</translation>
    </message>
    <message>
        <source>Delete this conversation forever? This cannot be undone.</source>
        <translation>永久删除此对话？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Nothing to export yet: this conversation is empty.</source>
        <translation>暂无可导出的内容：此对话为空。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Could not write {name}: {error}.</source>
        <translation>无法写入 {name}：{error}。</translation>
    </message>
    <message>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <source>Import conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <source>GLM Desk export (*.json)</source>
        <translation>GLM Desk 导出文件 (*.json)</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>{name} was not imported: {reason}.

GLM Desk imports the JSON files it exports.</source>
        <translation>{name} 未导入：{reason}。

GLM Desk 可以导入它自己导出的 JSON 文件。</translation>
    </message>
    <message>
        <source>Not imported: {reason}.</source>
        <translation>未导入：{reason}。</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n conversation(s) ({skipped} already in the history).</source>
        <translation>
            <numerusform>已导入 %n 个对话（{skipped} 个已在历史记录中）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n conversation(s).</source>
        <translation>
            <numerusform>已导入 %n 个对话。</numerusform>
        </translation>
    </message>
    <message>
        <source>History saved again; nothing was lost.</source>
        <translation>历史记录已重新保存，没有丢失任何内容。</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
</context>
<context>
    <name>HistoryService</name>
    <message>
        <source>History is off for this session: {error} Conversations are kept only until GLM Desk closes.</source>
        <translation>本次会话不保存历史记录：{error} 对话仅保留到 GLM Desk 关闭为止。</translation>
    </message>
    <message>
        <source>it is not a text file</source>
        <translation>它不是文本文件</translation>
    </message>
    <message>
        <source>the history could not be read ({error})</source>
        <translation>无法读取历史记录（{error}）</translation>
    </message>
    <message>
        <source>Could not save history: the disk is full. Your conversations are kept in memory; Free some space and GLM Desk will save them again automatically.</source>
        <translation>无法保存历史记录：磁盘已满。你的对话暂存在内存中；请释放一些空间，GLM Desk 会自动重新保存。</translation>
    </message>
    <message>
        <source>Could not save history: the history file is read-only. Your conversations are kept in memory; Make {folder} writable and GLM Desk will save them again automatically.</source>
        <translation>无法保存历史记录：历史文件为只读。你的对话暂存在内存中；请将 {folder} 设为可写，GLM Desk 会自动重新保存。</translation>
    </message>
    <message>
        <source>Could not save history: {error}. Your conversations are kept in memory; Check the disk and GLM Desk will save them again automatically.</source>
        <translation>无法保存历史记录：{error}。你的对话暂存在内存中；请检查磁盘，GLM Desk 会自动重新保存。</translation>
    </message>
</context>
<context>
    <name>HistoryStore</name>
    <message>
        <source>The history file could not be read ({error}); it was moved to {file} and a new, empty history was started.</source>
        <translation>无法读取历史文件（{error}）；已将其移至 {file}，并新建了空的历史记录。</translation>
    </message>
    <message>
        <source>{name} was not a GLM Desk history; it was moved to {file} and a new history was started.</source>
        <translation>{name} 不是 GLM Desk 的历史文件；已将其移至 {file}，并新建了历史记录。</translation>
    </message>
    <message>
        <source>The history was written by a newer GLM Desk (schema {version}); update GLM Desk to open it.</source>
        <translation>历史记录由更新版本的 GLM Desk 写入（架构版本 {version}）；请更新 GLM Desk 后再打开。</translation>
    </message>
    <message>
        <source>The history was upgraded from schema {old} to {new}; a copy of the old file is at {file}.</source>
        <translation>历史记录已从架构版本 {old} 升级到 {new}；旧文件的副本位于 {file}。</translation>
    </message>
    <message>
        <source>The history file could not be opened ({error}).</source>
        <translation>无法打开历史记录文件（{error}）。</translation>
    </message>
    <message>
        <source>The history file could not be read ({error}).</source>
        <translation>无法读取历史记录文件（{error}）。</translation>
    </message>
    <message>
        <source>{name} is not a GLM Desk history.</source>
        <translation>{name} 不是 GLM Desk 的历史记录。</translation>
    </message>
    <message>
        <source>The history is empty.</source>
        <translation>历史记录为空。</translation>
    </message>
    <message>
        <source>The history has schema {version}, this GLM Desk reads schema {expected}, and it cannot be converted while another GLM Desk is using it.</source>
        <translation>历史记录的架构版本为 {version}，此 GLM Desk 读取的是架构版本 {expected}；另一个 GLM Desk 正在使用它，因此无法转换。</translation>
    </message>
</context>
<context>
    <name>ImportRefused</name>
    <message>
        <source>it is not JSON ({error} at line {line})</source>
        <translation>它不是 JSON（第 {line} 行：{error}）</translation>
    </message>
    <message>
        <source>a GLM Desk export is a JSON list of conversations</source>
        <translation>GLM Desk 导出文件应是由对话组成的 JSON 列表</translation>
    </message>
    <message>
        <source>conversation {n}</source>
        <translation>第 {n} 个对话</translation>
    </message>
    <message>
        <source>{where} is not an object</source>
        <translation>{where}不是对象</translation>
    </message>
    <message>
        <source>{where} has no {kind} &apos;{key}&apos;</source>
        <translation>{where}缺少 {kind} 类型的“{key}”</translation>
    </message>
    <message>
        <source>{where} has no number &apos;created&apos;</source>
        <translation>{where}缺少数字“created”</translation>
    </message>
    <message>
        <source>message {i} of {where}</source>
        <translation>{where}的第 {i} 条消息</translation>
    </message>
    <message>
        <source>{where} has an unknown role {role}</source>
        <translation>{where}的角色 {role} 未知</translation>
    </message>
    <message>
        <source>{where} has no text &apos;content&apos;</source>
        <translation>{where}缺少文本“content”</translation>
    </message>
    <message>
        <source>{where} has an unknown state {state}</source>
        <translation>{where}的状态 {state} 未知</translation>
    </message>
    <message>
        <source>{where} could not be read ({error})</source>
        <translation>无法读取{where}（{error}）</translation>
    </message>
</context>
<context>
    <name>JumpToBottom</name>
    <message>
        <source>Jump to the end of the conversation</source>
        <translation>跳到对话末尾</translation>
    </message>
    <message>
        <source>Jump to the end (and follow the answer)</source>
        <translation>跳到末尾（并跟随回答）</translation>
    </message>
    <message>
        <source>↓ Jump to bottom</source>
        <translation>↓ 跳到底部</translation>
    </message>
</context>
<context>
    <name>LineNumberGutter</name>
    <message>
        <source>Line numbers</source>
        <translation>行号</translation>
    </message>
</context>
<context>
    <name>LocalModelController</name>
    <message>
        <source>Offline: nothing leaves this machine</source>
        <translation>离线：不向本机以外发送任何内容</translation>
    </message>
    <message>
        <source>Offline mode</source>
        <translation>离线模式</translation>
    </message>
    <message>
        <source>Local: starting…</source>
        <translation>本地：正在启动…</translation>
    </message>
    <message>
        <source>Local: loading…</source>
        <translation>本地：正在加载…</translation>
    </message>
    <message>
        <source>Local: ready</source>
        <translation>本地：就绪</translation>
    </message>
    <message>
        <source>Local: crashed</source>
        <translation>本地：已崩溃</translation>
    </message>
    <message>
        <source>&amp;Local model…</source>
        <translation>本地模型(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Offline mode</source>
        <translation>离线模式(&amp;O)</translation>
    </message>
    <message>
        <source>Send nothing to any server off this machine</source>
        <translation>不向本机以外的任何服务器发送内容</translation>
    </message>
    <message>
        <source>Switch to local automatically when offline</source>
        <translation>离线时自动切换到本地模型</translation>
    </message>
    <message>
        <source>Local model status</source>
        <translation>本地模型状态</translation>
    </message>
    <message>
        <source>Offline mode: send nothing to any server off this machine</source>
        <translation>离线模式：不向本机以外的任何服务器发送内容</translation>
    </message>
    <message>
        <source>Ended a llama-server (process {pid}) that an earlier run left running.</source>
        <translation>已结束上次运行遗留的 llama-server（进程 {pid}）。</translation>
    </message>
    <message>
        <source>The local model is now {label}.</source>
        <translation>本地模型现在是 {label}。</translation>
    </message>
    <message>
        <source>Click for the Local model window.</source>
        <translation>点击打开“本地模型”窗口。</translation>
    </message>
    <message>
        <source>The local model is ready: new messages go to it.</source>
        <translation>本地模型已就绪：新消息将发送给它。</translation>
    </message>
    <message>
        <source>The local model crashed: see the Local model window.</source>
        <translation>本地模型已崩溃：请查看“本地模型”窗口。</translation>
    </message>
    <message>
        <source>No local model is running: start one in the Local model window.</source>
        <translation>没有正在运行的本地模型：请在“本地模型”窗口中启动一个。</translation>
    </message>
    <message>
        <source>No local model is running. Choose a GGUF file and Start (or use a server listed below), then retry.</source>
        <translation>没有正在运行的本地模型。请选择 GGUF 文件并点击“启动”（或使用下方列出的服务器），然后重试。</translation>
    </message>
    <message>
        <source>{name} could not be reached: switched to the local model and asked again.</source>
        <translation>无法连接 {name}：已切换到本地模型并重新提问。</translation>
    </message>
</context>
<context>
    <name>LocalServer</name>
    <message>
        <source>The local server is already starting.</source>
        <translation>本地服务器正在启动中。</translation>
    </message>
    <message>
        <source>llama-server was not found. Install llama.cpp, or set the path of its llama-server program in the local server settings.</source>
        <translation>未找到 llama-server。请安装 llama.cpp，或在本地服务器设置中指定 llama-server 程序的路径。</translation>
    </message>
    <message>
        <source>The model file {path} does not exist.</source>
        <translation>模型文件 {path} 不存在。</translation>
    </message>
    <message>
        <source>llama-server could not be started: {error}</source>
        <translation>无法启动 llama-server：{error}</translation>
    </message>
</context>
<context>
    <name>LocalServerDialog</name>
    <message>
        <source>This GLM-4 file was converted before April 2025; without a fix it may not stop at the end of its answer.</source>
        <translation>此 GLM-4 文件是在 2025 年 4 月之前转换的；如果不加修正，它可能在回答结束时不会停下。</translation>
    </message>
    <message>
        <source>Local model</source>
        <translation>本地模型</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <source>A GGUF model file, e.g. GLM-4-32B-0414-Q4_K_M.gguf</source>
        <translation>GGUF 模型文件，例如 GLM-4-32B-0414-Q4_K_M.gguf</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Browse for a model</source>
        <translation>浏览模型文件</translation>
    </message>
    <message>
        <source>No model file chosen yet.</source>
        <translation>尚未选择模型文件。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Old GLM-4 file</source>
        <translation>旧版 GLM-4 文件</translation>
    </message>
    <message>
        <source>End turns at &lt;|user|&gt; (--override-kv fix)</source>
        <translation>在 &lt;|user|&gt; 处结束回合（--override-kv 修正）</translation>
    </message>
    <message>
        <source>Fix old GLM-4</source>
        <translation>修正旧版 GLM-4</translation>
    </message>
    <message>
        <source>Context size</source>
        <translation>上下文大小</translation>
    </message>
    <message>
        <source>the model&apos;s own</source>
        <translation>模型默认值</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个 token</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>If this port is taken, a free one is used.</source>
        <translation>如果此端口已被占用，会改用一个空闲端口。</translation>
    </message>
    <message>
        <source>Protect it with a generated API key</source>
        <translation>使用自动生成的 API 密钥保护</translation>
    </message>
    <message>
        <source>Use an API key</source>
        <translation>使用 API 密钥</translation>
    </message>
    <message>
        <source>A random key, kept in memory for this session only.</source>
        <translation>随机生成的密钥，仅在本次会话中保存在内存里。</translation>
    </message>
    <message>
        <source>llama-server program</source>
        <translation>llama-server 程序</translation>
    </message>
    <message>
        <source>blank: llama-server on PATH</source>
        <translation>留空：使用 PATH 中的 llama-server</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Context size:</source>
        <translation>上下文大小：</translation>
    </message>
    <message>
        <source>GPU layers:</source>
        <translation>GPU 层数：</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>llama-server:</source>
        <translation>llama-server 程序：</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Server state</source>
        <translation>服务器状态</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Server log</source>
        <translation>服务器日志</translation>
    </message>
    <message>
        <source>llama-server&apos;s output appears here.</source>
        <translation>llama-server 的输出会显示在这里。</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Detected servers</source>
        <translation>检测到的服务器</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Use this server</source>
        <translation>使用此服务器</translation>
    </message>
    <message>
        <source>Servers already running on this machine</source>
        <translation>本机上已在运行的服务器</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>选择模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the llama-server program</source>
        <translation>选择 llama-server 程序</translation>
    </message>
    <message>
        <source>Reading the model file…</source>
        <translation>正在读取模型文件…</translation>
    </message>
    <message>
        <source>Choose a GGUF model file first.</source>
        <translation>请先选择 GGUF 模型文件。</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Ready at {url}</source>
        <translation>已就绪：{url}</translation>
    </message>
    <message>
        <source>context {n:,} tokens</source>
        <translation>上下文 {n:,} 个 token</translation>
    </message>
    <message>
        <source>build {build}</source>
        <translation>版本 {build}</translation>
    </message>
    <message>
        <source>loaded in {seconds:.1f} s</source>
        <translation>加载用时 {seconds:.1f} 秒</translation>
    </message>
    <message>
        <source>exit status {code}</source>
        <translation>退出状态 {code}</translation>
    </message>
    <message>
        <source>it ended by itself</source>
        <translation>进程自行退出</translation>
    </message>
    <message>
        <source>Crashed ({reason})</source>
        <translation>已崩溃（{reason}）</translation>
    </message>
    <message>
        <source>It said:
{lines}</source>
        <translation>它的输出：
{lines}</translation>
    </message>
    <message>
        <source>Looking for servers on this machine…</source>
        <translation>正在查找本机上的服务器…</translation>
    </message>
    <message>
        <source>Looking for local servers failed: {error}</source>
        <translation>查找本地服务器失败：{error}</translation>
    </message>
    <message>
        <source>{server} · started here</source>
        <translation>{server} · 由本应用启动</translation>
    </message>
    <message>
        <source>No local servers found (looked at ports {ports}).</source>
        <translation>未找到本地服务器（已检查端口 {ports}）。</translation>
    </message>
    <message>
        <source>needs an API key</source>
        <translation>需要 API 密钥</translation>
    </message>
    <message>
        <source>{kind} at {url}</source>
        <translation>{kind}，位于 {url}</translation>
    </message>
    <message>
        <source>{kind} at {url}: {what}</source>
        <translation>{kind}，位于 {url}：{what}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>发送（Enter）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop answer</source>
        <translation>停止回答</translation>
    </message>
    <message>
        <source>Stop the answer and keep what arrived (Esc)</source>
        <translation>停止回答并保留已收到的内容（Esc）</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Snippets…</source>
        <translation>代码片段库(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About {app}</source>
        <translation>关于 {app}(&amp;A)</translation>
    </message>
    <message>
        <source>Now using OpenRouter&apos;s z-ai/glm-4-32b. Retry to ask again.</source>
        <translation>现在使用 OpenRouter 的 z-ai/glm-4-32b。点“重试”再问一次。</translation>
    </message>
    <message>
        <source>Editing your message: Enter sends it as a new version (the old one is kept and can be switched back to). Esc cancels.</source>
        <translation>正在编辑消息：按 Enter 作为新版本发送（旧版本会保留，可随时切换回去）。按 Esc 取消。</translation>
    </message>
</context>
<context>
    <name>McpProblem</name>
    <message>
        <source>Install Node.js (it brings npx and node).</source>
        <translation>请安装 Node.js（其中包含 npx 和 node）。</translation>
    </message>
    <message>
        <source>Install uv (https://docs.astral.sh/uv/).</source>
        <translation>请安装 uv（https://docs.astral.sh/uv/）。</translation>
    </message>
    <message>
        <source>Install Docker.</source>
        <translation>请安装 Docker。</translation>
    </message>
    <message>
        <source>The command {command} does not exist or cannot be run.</source>
        <translation>命令 {command} 不存在或无法运行。</translation>
    </message>
    <message>
        <source>The command {command} was not found. Install it, or give its full path in the server&apos;s settings.</source>
        <translation>找不到命令 {command}。请安装它，或在服务器设置中填写它的完整路径。</translation>
    </message>
    <message>
        <source>The value of {key} is not in the keyring. Enter it again in the server&apos;s settings.</source>
        <translation>钥匙串中没有 {key} 的值。请在服务器设置中重新输入。</translation>
    </message>
    <message>
        <source>The tool did not answer within {seconds:g} s and was cancelled.</source>
        <translation>工具在 {seconds:g} 秒内没有应答，已取消。</translation>
    </message>
    <message>
        <source>The server {name} did not answer within {seconds:g} s.</source>
        <translation>服务器 {name} 在 {seconds:g} 秒内没有应答。</translation>
    </message>
    <message>
        <source>The server {name} exited during start-up (exit status {code}).</source>
        <translation>服务器 {name} 在启动时退出（退出状态 {code}）。</translation>
    </message>
    <message>
        <source>The server {name} exited while in use (exit status {code}).</source>
        <translation>服务器 {name} 在使用中退出（退出状态 {code}）。</translation>
    </message>
    <message>
        <source>The server {name} refused the connection (HTTP {status}): check the token or headers in its settings.</source>
        <translation>服务器 {name} 拒绝了连接（HTTP {status}）：请检查其设置中的令牌或请求头。</translation>
    </message>
    <message>
        <source>There is no MCP server at {url} (HTTP 404): check the address.</source>
        <translation>{url} 上没有 MCP 服务器（HTTP 404）：请检查地址。</translation>
    </message>
    <message>
        <source>The server {name} speaks a version of MCP this app does not: update the server or GLM Desk.</source>
        <translation>服务器 {name} 使用的 MCP 版本本应用不支持：请更新该服务器或 GLM Desk。</translation>
    </message>
    <message>
        <source>The server {name} could not be reached: {error}</source>
        <translation>无法连接服务器 {name}：{error}</translation>
    </message>
    <message>
        <source>The server {name} failed: {error}</source>
        <translation>服务器 {name} 出错：{error}</translation>
    </message>
    <message>
        <source>The MCP server {name} is not available: {problem}</source>
        <translation>MCP 服务器 {name} 不可用：{problem}</translation>
    </message>
</context>
<context>
    <name>PresetsController</name>
    <message>
        <source>Prompt preset for this conversation</source>
        <translation>本对话的提示预设</translation>
    </message>
    <message>
        <source>A named system prompt for this conversation</source>
        <translation>本对话使用的命名系统提示词</translation>
    </message>
    <message>
        <source>No preset</source>
        <translation>无预设</translation>
    </message>
    <message>
        <source>Manage presets…</source>
        <translation>管理预设…</translation>
    </message>
</context>
<context>
    <name>PresetsDialog</name>
    <message>
        <source>Prompt presets</source>
        <translation>提示预设</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>The system prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Shipped with GLM Desk (read-only: save a copy)</source>
        <translation>GLM Desk 自带（只读：可另存一份）</translation>
    </message>
    <message>
        <source>A preset needs a name and a prompt.</source>
        <translation>预设需要名称和提示词。</translation>
    </message>
    <message>
        <source>{name} (mine)</source>
        <translation>{name}（我的）</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>Deleted {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>Import presets</source>
        <translation>导入预设</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Not imported: {problem}</source>
        <translation>未导入：{problem}</translation>
    </message>
    <message>
        <source>Imported {n} preset(s).</source>
        <translation>已导入 {n} 个预设。</translation>
    </message>
    <message>
        <source>Export presets</source>
        <translation>导出预设</translation>
    </message>
    <message>
        <source>Not exported: {problem}</source>
        <translation>未导出：{problem}</translation>
    </message>
    <message>
        <source>Exported {n} preset(s).</source>
        <translation>已导出 {n} 个预设。</translation>
    </message>
</context>
<context>
    <name>ProfileLock</name>
    <message>
        <source>GLM Desk is already running</source>
        <translation>GLM Desk 已在运行</translation>
    </message>
    <message>
        <source>Another GLM Desk (process {pid}) is using the profile folder {folder}.</source>
        <translation>另一个 GLM Desk（进程 {pid}）正在使用数据文件夹 {folder}。</translation>
    </message>
    <message>
        <source>Another GLM Desk is using the profile folder {folder}.</source>
        <translation>另一个 GLM Desk 正在使用数据文件夹 {folder}。</translation>
    </message>
    <message>
        <source>Use the GLM Desk window that is already open, or start a second one with a profile folder of its own: glm-desk --profile DIR</source>
        <translation>请使用已经打开的 GLM Desk 窗口，或者用单独的数据文件夹启动第二个：glm-desk --profile DIR</translation>
    </message>
</context>
<context>
    <name>ProviderSelector</name>
    <message>
        <source>Provider and model</source>
        <translation>服务商和模型</translation>
    </message>
    <message>
        <source>{provider}  (offline)</source>
        <translation>{provider}  （离线）</translation>
    </message>
</context>
<context>
    <name>RequestToggles</name>
    <message>
        <source>Z.AI searches the web for the answer and lists its sources under it ($0.01 per search).</source>
        <translation>Z.AI 会联网搜索来回答，并在回答下方列出来源（每次搜索 0.01 美元）。</translation>
    </message>
    <message>
        <source>OpenRouter searches the web for the answer and lists its sources under it ($4 per 1,000 results, added to the answer&apos;s cost).</source>
        <translation>OpenRouter 会联网搜索来回答，并在回答下方列出来源（每 1,000 条结果 4 美元，计入该回答的费用）。</translation>
    </message>
    <message>
        <source>Web search is not available with {provider}: only Z.AI and OpenRouter search the web. A local model answers from what it knows.</source>
        <translation>{provider} 不支持联网搜索：只有 Z.AI 和 OpenRouter 可以联网搜索。本地模型只能根据已有知识回答。</translation>
    </message>
    <message>
        <source>JSON answers are not available with {provider}: its GLM-4 listing takes no response_format. Z.AI and a local model can.</source>
        <translation>{provider} 不支持 JSON 回答：它的 GLM-4 不接受 response_format。Z.AI 和本地模型可以。</translation>
    </message>
    <message>
        <source>The answer is JSON, kept so by the server&apos;s grammar (a JSON schema in Conversation settings makes it keep that shape).</source>
        <translation>回答为 JSON，由服务器的语法约束保证（在对话设置中填写 JSON schema 可约束其结构）。</translation>
    </message>
    <message>
        <source>The answer is one JSON object, shown pretty-printed.</source>
        <translation>回答为一个 JSON 对象，以格式化方式显示。</translation>
    </message>
    <message>
        <source>Web search</source>
        <translation>联网搜索</translation>
    </message>
    <message>
        <source>Search the web for this conversation</source>
        <translation>在本对话中联网搜索</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Answer in JSON in this conversation</source>
        <translation>在本对话中以 JSON 回答</translation>
    </message>
    <message>
        <source>Let GLM-4 run the code it writes (the run_code tool) in the snippet sandbox and see the result; you approve each run unless you allow it for the conversation.</source>
        <translation>让 GLM-4 在代码片段沙箱中运行它写的代码（run_code 工具）并查看结果；除非你在本对话中允许，每次运行都需要你批准。</translation>
    </message>
    <message>
        <source>Run code</source>
        <translation>运行代码</translation>
    </message>
    <message>
        <source>Let GLM-4 run code in this conversation</source>
        <translation>在本对话中允许 GLM-4 运行代码</translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <source>Sandbox: not checked yet (checked at the first run)</source>
        <translation>沙箱：尚未检测（首次运行时检测）</translation>
    </message>
    <message>
        <source>The sandbox chosen in Settings does not work here: {why}</source>
        <translation>设置中选择的沙箱在本机不可用：{why}</translation>
    </message>
    <message>
        <source>⚠ No sandbox works here: snippets run with limits only and can read your files and reach the network; each run asks first. ({why})</source>
        <translation>⚠ 本机没有可用的沙箱：代码片段仅在资源限制下运行，可以读取你的文件并访问网络；每次运行前都会询问。（{why}）</translation>
    </message>
    <message>
        <source>chosen in Settings</source>
        <translation>在设置中选择</translation>
    </message>
    <message>
        <source>Sandbox: {layer}</source>
        <translation>沙箱：{layer}</translation>
    </message>
    <message>
        <source>Another snippet is running; Stop ends it.</source>
        <translation>另一个代码片段正在运行；点击“停止”可结束它。</translation>
    </message>
    <message>
        <source>{language} snippets cannot be run here: Python, JavaScript and shell can.</source>
        <translation>{language} 代码片段无法在这里运行：可以运行 Python、JavaScript 和 shell。</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>… the first {cut} characters of output were cut; the last {kept} follow.</source>
        <translation>…… 输出的前 {cut} 个字符已被截去；下面是最后 {kept} 个字符。</translation>
    </message>
    <message>
        <source>network allowed</source>
        <translation>允许网络</translation>
    </message>
    <message>
        <source>no network</source>
        <translation>无网络</translation>
    </message>
    <message>
        <source>$ {command}   ({runtime}; {layer}; {network})</source>
        <translation>$ {command}   （{runtime}；{layer}；{network}）</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Timed out: the run took longer than {s} s and was ended</source>
        <translation>超时：运行超过 {s} 秒，已被结束</translation>
    </message>
    <message>
        <source>Killed by {signal}</source>
        <translation>被 {signal} 终止</translation>
    </message>
    <message>
        <source> (the CPU time limit)</source>
        <translation>（CPU 时间限制）</translation>
    </message>
    <message>
        <source> (the file size limit)</source>
        <translation>（文件大小限制）</translation>
    </message>
    <message>
        <source>Exit status {code}</source>
        <translation>退出状态 {code}</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} 秒</translation>
    </message>
    <message>
        <source>CPU {s} s</source>
        <translation>CPU {s} 秒</translation>
    </message>
    <message>
        <source>peak memory {size}</source>
        <translation>内存峰值 {size}</translation>
    </message>
    <message>
        <source>tests: {passed} of {n} passed</source>
        <translation>测试：{n} 个中通过 {passed} 个</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Not run.</source>
        <translation>未运行。</translation>
    </message>
    <message>
        <source>Running with {runtime} in {layer}, {network}…</source>
        <translation>正在用 {runtime} 运行，{layer}，{network}…</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>正在运行…</translation>
    </message>
    <message>
        <source>… {cut} characters of output cut so far (the last part is kept)</source>
        <translation>…… 目前已截去 {cut} 个字符的输出（保留最后一部分）</translation>
    </message>
    <message>
        <source>Run without a sandbox?</source>
        <translation>在没有沙箱的情况下运行？</translation>
    </message>
    <message>
        <source>No sandbox works on this machine, so this snippet would run with your permissions: it could read and change your files and reach the network. Only limits (time, memory, processes) apply.

Run it?</source>
        <translation>本机没有可用的沙箱，这个代码片段将以你的权限运行：它可以读取和修改你的文件并访问网络。只有资源限制（时间、内存、进程数）生效。

要运行吗？</translation>
    </message>
    <message>
        <source>The fixed version is in the code pane: Run it (Ctrl+R).</source>
        <translation>修复后的版本已在代码面板中：运行它（Ctrl+R）。</translation>
    </message>
    <message>
        <source>for the workspace {folder}</source>
        <translation>用于工作区 {folder}</translation>
    </message>
    <message>
        <source>for conversations without a workspace</source>
        <translation>用于没有工作区的对话</translation>
    </message>
    <message>
        <source>Python {where}:</source>
        <translation>Python 解释器（{where}）：</translation>
    </message>
    <message>
        <source>python3 from PATH</source>
        <translation>PATH 中的 python3</translation>
    </message>
    <message>
        <source>Choose an interpreter or virtual environment…</source>
        <translation>选择解释器或虚拟环境…</translation>
    </message>
    <message>
        <source>Choose a Python interpreter (in a virtual environment&apos;s bin)</source>
        <translation>选择 Python 解释器（位于虚拟环境的 bin 中）</translation>
    </message>
    <message>
        <source>No tests</source>
        <translation>不测试</translation>
    </message>
    <message>
        <source>Test with: {title}</source>
        <translation>用它测试：{title}</translation>
    </message>
    <message>
        <source>Type tests…</source>
        <translation>输入测试…</translation>
    </message>
    <message>
        <source>Tests ✓</source>
        <translation>测试 ✓</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>bubblewrap (system read-only, home hidden, its own folder only)</source>
        <translation>bubblewrap（系统只读，主目录隐藏，只能写自己的文件夹）</translation>
    </message>
    <message>
        <source>namespaces (unshare: home hidden, its own folder only)</source>
        <translation>命名空间（unshare：主目录隐藏，只能写自己的文件夹）</translation>
    </message>
    <message>
        <source>no sandbox (limits only)</source>
        <translation>无沙箱（仅资源限制）</translation>
    </message>
</context>
<context>
    <name>RunPane</name>
    <message>
        <source>Run output</source>
        <translation>运行输出</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>The program that runs the snippet</source>
        <translation>运行代码片段的程序</translation>
    </message>
    <message>
        <source>Allow network</source>
        <translation>允许网络</translation>
    </message>
    <message>
        <source>Let the next run reach the network (off again after it)</source>
        <translation>允许下一次运行访问网络（运行后自动关闭）</translation>
    </message>
    <message>
        <source>Tests</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Run this Python snippet with a block of tests</source>
        <translation>用一段测试运行这个 Python 代码片段</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the snippet in the sandbox (Ctrl+R)</source>
        <translation>在沙箱中运行代码片段（Ctrl+R）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>End the run and everything it started</source>
        <translation>结束这次运行及其启动的所有进程</translation>
    </message>
    <message>
        <source>Fix it</source>
        <translation>修复</translation>
    </message>
    <message>
        <source>Send the code and its error to GLM-4 for a fixed version (Ctrl+Shift+R)</source>
        <translation>把代码和错误发给 GLM-4，获取修复后的版本（Ctrl+Shift+R）</translation>
    </message>
    <message>
        <source>Output of the run</source>
        <translation>运行的输出</translation>
    </message>
    <message>
        <source>Run a Python, JavaScript or shell snippet to see its output here.</source>
        <translation>运行 Python、JavaScript 或 shell 代码片段，输出会显示在这里。</translation>
    </message>
</context>
<context>
    <name>RunService</name>
    <message>
        <source>The sandbox chosen in Settings ({layer}) does not work here: {why}</source>
        <translation>设置中选择的沙箱（{layer}）在本机不可用：{why}</translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <source>Search all conversations</source>
        <translation>搜索全部对话</translation>
    </message>
    <message>
        <source>Search text</source>
        <translation>搜索内容</translation>
    </message>
    <message>
        <source>Search all conversations (English, 中文, code…)</source>
        <translation>搜索全部对话（英文、中文、代码…）</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>%n result(s)</source>
        <translation>%n 个结果</translation>
    </message>
    <message>
        <source>Nothing found for “{query}”.</source>
        <translation>没有找到“{query}”。</translation>
    </message>
</context>
<context>
    <name>SecretStore</name>
    <message>
        <source>Keys you enter now are kept for this session only.</source>
        <translation>现在输入的密钥仅在本次运行期间有效。</translation>
    </message>
    <message>
        <source>check that your login Keychain is unlocked (Keychain Access), then restart GLM Desk.</source>
        <translation>请确认登录钥匙串已解锁（钥匙串访问），然后重启 GLM Desk。</translation>
    </message>
    <message>
        <source>check that Windows Credential Manager is available, then restart GLM Desk.</source>
        <translation>请确认 Windows 凭据管理器可用，然后重启 GLM Desk。</translation>
    </message>
    <message>
        <source>install and start gnome-keyring (or KWallet), then restart GLM Desk.</source>
        <translation>请安装并启动 gnome-keyring（或 KWallet），然后重启 GLM Desk。</translation>
    </message>
    <message>
        <source>No keyring service is running: {how} {session}</source>
        <translation>没有正在运行的密钥环服务：{how}{session}</translation>
    </message>
    <message>
        <source>The only keyring found is {name} (from keyrings.alt), which keeps keys in a file; GLM Desk does not use it. To keep keys safely, {how} {session}</source>
        <translation>找到的唯一密钥环是 {name}（来自 keyrings.alt），它把密钥保存在普通文件中，GLM Desk 不会使用它。要安全地保存密钥，{how}{session}</translation>
    </message>
    <message>
        <source>The keyring is locked or has no default collection{detail}: unlock it (or create a default keyring, e.g. in Passwords and Keys / Seahorse), then restart GLM Desk. {session}</source>
        <translation>密钥环已锁定或没有默认集合{detail}：请解锁（或创建默认密钥环，例如在“密码和密钥”/Seahorse 中），然后重启 GLM Desk。{session}</translation>
    </message>
    <message>
        <source>The keyring is locked or has no default collection{detail}: unlock it, then restart GLM Desk. {session}</source>
        <translation>密钥环已锁定或没有默认集合{detail}：请解锁后重启 GLM Desk。{session}</translation>
    </message>
    <message>
        <source>The keyring service could not be reached{detail}: {how} {session}</source>
        <translation>无法连接密钥环服务{detail}：{how}{session}</translation>
    </message>
    <message>
        <source>The keyring failed{detail}: {how} {session}</source>
        <translation>密钥环出错{detail}：{how}{session}</translation>
    </message>
    <message>
        <source>The keyring is turned off ({variable}). {session}</source>
        <translation>密钥环已关闭（{variable}）。{session}</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>expected true or false</source>
        <translation>应为 true 或 false</translation>
    </message>
    <message>
        <source>expected a whole number</source>
        <translation>应为整数</translation>
    </message>
    <message>
        <source>expected a number</source>
        <translation>应为数字</translation>
    </message>
    <message>
        <source>expected a finite number</source>
        <translation>应为有限数字</translation>
    </message>
    <message>
        <source>expected text</source>
        <translation>应为文本</translation>
    </message>
    <message>
        <source>longer than {count} characters</source>
        <translation>超过 {count} 个字符</translation>
    </message>
    <message>
        <source>below the minimum {minimum}</source>
        <translation>低于最小值 {minimum}</translation>
    </message>
    <message>
        <source>above the maximum {maximum}</source>
        <translation>高于最大值 {maximum}</translation>
    </message>
    <message>
        <source>not one of {choices}</source>
        <translation>不是以下之一：{choices}</translation>
    </message>
    <message>
        <source>not valid JSON</source>
        <translation>不是有效的 JSON</translation>
    </message>
    <message>
        <source>expected an object of folder: interpreter</source>
        <translation>应为“文件夹: 解释器”形式的对象</translation>
    </message>
    <message>
        <source>expected an http:// or https:// URL</source>
        <translation>应为 http:// 或 https:// 开头的网址</translation>
    </message>
    <message>
        <source>expected a proxy URL such as http://proxy.example:3128</source>
        <translation>应为代理地址，例如 http://proxy.example:3128</translation>
    </message>
    <message>
        <source>the port is not a number from 0 to 65535</source>
        <translation>端口不是 0 到 65535 之间的数字</translation>
    </message>
    <message>
        <source>a model id has no spaces</source>
        <translation>模型 ID 不能包含空格</translation>
    </message>
    <message>
        <source>The settings file {path} could not be read ({reason}); using the default settings.</source>
        <translation>无法读取设置文件 {path}（{reason}）；将使用默认设置。</translation>
    </message>
    <message>
        <source>The settings file {path} is not valid JSON ({reason}); using the default settings. The broken file was kept as {kept}.</source>
        <translation>设置文件 {path} 不是有效的 JSON（{reason}）；将使用默认设置。损坏的文件已保留为 {kept}。</translation>
    </message>
    <message>
        <source>The settings file {path} is not valid JSON ({reason}); using the default settings.</source>
        <translation>设置文件 {path} 不是有效的 JSON（{reason}）；将使用默认设置。</translation>
    </message>
    <message>
        <source>Some settings in {path} were not valid and are back to their defaults: {keys}.</source>
        <translation>{path} 中的部分设置无效，已恢复为默认值：{keys}。</translation>
    </message>
</context>
<context>
    <name>SettingsController</name>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Conversation settings…</source>
        <translation>对话设置(&amp;C)…</translation>
    </message>
    <message>
        <source>This conversation now uses its own settings.</source>
        <translation>此对话现在使用自己的设置。</translation>
    </message>
    <message>
        <source>This conversation uses the provider&apos;s settings.</source>
        <translation>此对话使用服务商的设置。</translation>
    </message>
    <message>
        <source>Reading your API keys from the keyring…</source>
        <translation>正在从系统密钥环读取 API 密钥…</translation>
    </message>
    <message>
        <source>{provider} needs an API key. Open Settings (Ctrl+,) to add one, or choose “Local llama.cpp” in the Model list. Your message is still in the composer.</source>
        <translation>{provider} 需要 API 密钥。请打开“设置”（Ctrl+,）添加，或在模型列表中选择“Local llama.cpp”。你的消息仍保留在输入框中。</translation>
    </message>
    <message>
        <source> · offline: not sent</source>
        <translation> · 离线：不会发送</translation>
    </message>
    <message>
        <source> · no API key</source>
        <translation> · 无 API 密钥</translation>
    </message>
    <message>
        <source>Keys: this session only</source>
        <translation>密钥：仅限本次会话</translation>
    </message>
    <message>
        <source>Offline mode is on: choose the local model, or turn Offline mode off.</source>
        <translation>离线模式已开启：请选择本地模型，或关闭离线模式。</translation>
    </message>
    <message>
        <source>No API key for {provider}: add one in Settings (Ctrl+,), or choose the local model in the Model list.</source>
        <translation>没有 {provider} 的 API 密钥：请在“设置”（Ctrl+,）中添加，或在模型列表中选择本地模型。</translation>
    </message>
    <message>
        <source>Ask GLM-4…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>向 GLM-4 提问…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>设置页面</translation>
    </message>
    <message>
        <source>Providers</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Offer it in the Model list</source>
        <translation>在模型列表中显示</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>接口地址</translation>
    </message>
    <message>
        <source>Model id</source>
        <translation>模型 ID</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show or hide the key you typed</source>
        <translation>显示或隐藏你输入的密钥</translation>
    </message>
    <message>
        <source>Remove stored key</source>
        <translation>删除已保存的密钥</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Sends the smallest request (one token) with the address, model and key above</source>
        <translation>用上面的地址、模型和密钥发送一个最小的请求（一个 token）</translation>
    </message>
    <message>
        <source>Provider:</source>
        <translation>服务商：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>接口地址：</translation>
    </message>
    <message>
        <source>Model id:</source>
        <translation>模型 ID：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Optional: instructions sent before every conversation</source>
        <translation>可选：在每个对话之前发送的指示</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top p:</source>
        <translation>Top p 采样：</translation>
    </message>
    <message>
        <source>Maximum answer length:</source>
        <translation>最大回答长度：</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <source>A conversation can have its own values: Edit → Conversation settings.</source>
        <translation>每个对话可以有自己的值：编辑 → 对话设置。</translation>
    </message>
    <message>
        <source>HTTP proxy</source>
        <translation>HTTP 代理</translation>
    </message>
    <message>
        <source>The system&apos;s proxy settings</source>
        <translation>系统的代理设置</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>HTTP proxy:</source>
        <translation>HTTP 代理：</translation>
    </message>
    <message>
        <source>For example http://proxy.example:3128. Empty: the system&apos;s settings. Never used for this machine (localhost, 127.0.0.1), so the local model always works.</source>
        <translation>例如 http://proxy.example:3128。留空：使用系统设置。访问本机（localhost、127.0.0.1）时从不使用代理，因此本地模型始终可用。</translation>
    </message>
    <message>
        <source>Request timeout:</source>
        <translation>请求超时：</translation>
    </message>
    <message>
        <source>How long to wait for the server to send anything before giving up.</source>
        <translation>等待服务器返回内容的最长时间，超时即放弃。</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>System size</source>
        <translation>系统大小</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> 磅</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation>字号：</translation>
    </message>
    <message>
        <source>Code colours follow the theme. Font size 0: the system&apos;s size.</source>
        <translation>代码颜色随主题变化。字号为 0：使用系统大小。</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new language shows after a restart of GLM Desk.</source>
        <translation>重启 GLM Desk 后显示新的语言。</translation>
    </message>
    <message>
        <source>http://host:port/v1 (required)</source>
        <translation>http://主机:端口/v1（必填）</translation>
    </message>
    <message>
        <source>In tokens, up to {limit} for {provider}.</source>
        <translation>以 token 计，{provider} 最多 {limit}。</translation>
    </message>
    <message>
        <source>Runner</source>
        <translation>运行器</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top p</source>
        <translation>Top p 采样</translation>
    </message>
    <message>
        <source>Maximum answer length</source>
        <translation>最大回答长度</translation>
    </message>
    <message>
        <source>Request timeout</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <source>Tool rounds per answer</source>
        <translation>每个回答的工具轮数</translation>
    </message>
    <message>
        <source>MCP call timeout</source>
        <translation>MCP 调用超时</translation>
    </message>
    <message>
        <source>{provider}, {field}</source>
        <translation>{provider}，{field}</translation>
    </message>
    <message>
        <source>{field}: {problem}</source>
        <translation>{field}：{problem}</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>The server GLM Desk starts makes its own key for each session; nothing to enter.</source>
        <translation>GLM Desk 启动的服务器每次运行都会生成自己的密钥，无需输入。</translation>
    </message>
    <message>
        <source>The new key goes to the keyring when you press OK or Apply.</source>
        <translation>按“确定”或“应用”后，新密钥将保存到系统密钥环。</translation>
    </message>
    <message>
        <source>The new key is kept for this session only when you press OK or Apply.</source>
        <translation>按“确定”或“应用”后，新密钥仅在本次运行期间有效。</translation>
    </message>
    <message>
        <source>The stored key is removed when you press OK or Apply.</source>
        <translation>按“确定”或“应用”后，将删除已保存的密钥。</translation>
    </message>
    <message>
        <source>Using the key from the {variable} environment variable, for this session (it is never stored). It comes before a key saved here.</source>
        <translation>正在使用环境变量 {variable} 中的密钥，仅限本次运行（从不保存）。它优先于此处保存的密钥。</translation>
    </message>
    <message>
        <source>A key is stored in the keyring.</source>
        <translation>系统密钥环中已保存密钥。</translation>
    </message>
    <message>
        <source>A key is held for this session only.</source>
        <translation>已有密钥，仅在本次运行期间有效。</translation>
    </message>
    <message>
        <source>Optional: only if your server asks for a key.</source>
        <translation>可选：仅当你的服务器要求密钥时填写。</translation>
    </message>
    <message>
        <source>No key yet: paste yours above.</source>
        <translation>还没有密钥：请粘贴到上方。</translation>
    </message>
    <message>
        <source>Get a key at &lt;a href=&quot;{url}&quot;&gt;{host}&lt;/a&gt;.</source>
        <translation>在 &lt;a href=&quot;{url}&quot;&gt;{host}&lt;/a&gt; 获取密钥。</translation>
    </message>
    <message>
        <source>Fix the address or model id first.</source>
        <translation>请先修正地址或模型 ID。</translation>
    </message>
    <message>
        <source>Enter the server&apos;s base URL first.</source>
        <translation>请先输入服务器的接口地址。</translation>
    </message>
    <message>
        <source>Enter an API key first.</source>
        <translation>请先输入 API 密钥。</translation>
    </message>
    <message>
        <source>Testing {provider}…</source>
        <translation>正在测试 {provider}…</translation>
    </message>
    <message>
        <source>(server said: {detail})</source>
        <translation>（服务器返回：{detail}）</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved. Restart GLM Desk to see the new language.</source>
        <translation>已保存。重启 GLM Desk 后显示新的语言。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The strongest that works here (recommended)</source>
        <translation>本机可用的最强沙箱（推荐）</translation>
    </message>
    <message>
        <source>bubblewrap only</source>
        <translation>仅 bubblewrap</translation>
    </message>
    <message>
        <source>Namespaces (unshare) only</source>
        <translation>仅命名空间（unshare）</translation>
    </message>
    <message>
        <source>No sandbox: limits only (asks before each run)</source>
        <translation>无沙箱：仅资源限制（每次运行前询问）</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>python3 from PATH</source>
        <translation>PATH 中的 python3</translation>
    </message>
    <message>
        <source>Let GLM-4 run code in new conversations (run_code)</source>
        <translation>在新对话中允许 GLM-4 运行代码（run_code）</translation>
    </message>
    <message>
        <source>Sandbox:</source>
        <translation>沙箱：</translation>
    </message>
    <message>
        <source>bubblewrap: the system read-only, your home hidden, no network, the snippet&apos;s own folder the only place it can write. Namespaces (unshare): the same folders hidden, no network. The output pane says which one a run used.</source>
        <translation>bubblewrap：系统只读，主目录隐藏，无网络，代码片段只能写入自己的文件夹。命名空间（unshare）：隐藏同样的文件夹，无网络。输出面板会说明每次运行用了哪一种。</translation>
    </message>
    <message>
        <source>Time limit:</source>
        <translation>时间限制：</translation>
    </message>
    <message>
        <source>Memory limit:</source>
        <translation>内存限制：</translation>
    </message>
    <message>
        <source>Processes it may start:</source>
        <translation>可启动的进程数：</translation>
    </message>
    <message>
        <source>Python:</source>
        <translation>Python 解释器：</translation>
    </message>
    <message>
        <source>A program or a virtual environment&apos;s folder, for conversations without a workspace; a workspace&apos;s own is chosen in the output pane&apos;s Python menu.</source>
        <translation>一个程序或虚拟环境的文件夹，用于没有工作区的对话；工作区自己的解释器在输出面板的 Python 菜单中选择。</translation>
    </message>
</context>
<context>
    <name>SettingsService</name>
    <message>
        <source>Your settings could not be saved ({reason}).</source>
        <translation>无法保存你的设置（{reason}）。</translation>
    </message>
</context>
<context>
    <name>SidePane</name>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Keep this answer</source>
        <translation>保留这个回答</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Trash</source>
        <translation>回收站</translation>
    </message>
    <message>
        <source>Deleted conversations, kept for {days} days</source>
        <translation>已删除的对话，保留 {days} 天</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>{title}
Deleted: {stamp}</source>
        <translation>{title}
删除于：{stamp}</translation>
    </message>
    <message>
        <source>{title}
Last activity: {stamp}</source>
        <translation>{title}
最近活动：{stamp}</translation>
    </message>
    <message>
        <source>Right-click to restore. Kept for {days} days.</source>
        <translation>右键单击可恢复。保留 {days} 天。</translation>
    </message>
    <message>
        <source>Deleted conversations stay here for {days} days.</source>
        <translation>已删除的对话会在这里保留 {days} 天。</translation>
    </message>
    <message>
        <source>Your conversations will appear here.</source>
        <translation>你的对话会显示在这里。</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Delete forever</source>
        <translation>永久删除</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>Move to Trash</source>
        <translation>移到回收站</translation>
    </message>
</context>
<context>
    <name>SnippetFileActions</name>
    <message>
        <source>Could not save {name}: {error}</source>
        <translation>无法保存 {name}：{error}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Could not save all: {error}</source>
        <translation>无法全部保存：{error}</translation>
    </message>
    <message>
        <source>Saved %n file(s) to {folder}</source>
        <translation>已将 %n 个文件保存到 {folder}</translation>
    </message>
    <message>
        <source>{error}.</source>
        <translation>{error}。</translation>
    </message>
    <message>
        <source>Compare with file</source>
        <translation>与文件比较</translation>
    </message>
    <message>
        <source>{name} ↔ snippet</source>
        <translation>{name} ↔ 代码片段</translation>
    </message>
    <message>
        <source>{name} → snippet</source>
        <translation>{name} → 代码片段</translation>
    </message>
    <message>
        <source>Compared with {path}</source>
        <translation>已与 {path} 比较</translation>
    </message>
    <message>
        <source>Apply to file</source>
        <translation>应用到文件</translation>
    </message>
    <message>
        <source>{name} already has this content.</source>
        <translation>{name} 的内容已与此相同。</translation>
    </message>
    <message>
        <source>Not applied.</source>
        <translation>未应用。</translation>
    </message>
    <message>
        <source>Could not write {name}: {error}</source>
        <translation>无法写入 {name}：{error}</translation>
    </message>
    <message>
        <source>Applied to {path}; the old file is {backup}</source>
        <translation>已应用到 {path}；旧文件为 {backup}</translation>
    </message>
    <message>
        <source>Applied to {path}</source>
        <translation>已应用到 {path}</translation>
    </message>
    <message>
        <source>Save snippet as</source>
        <translation>代码片段另存为</translation>
    </message>
    <message>
        <source>Save all snippets to</source>
        <translation>将全部代码片段保存到</translation>
    </message>
    <message>
        <source>Apply to {name}?</source>
        <translation>应用到 {name}？</translation>
    </message>
    <message>
        <source>{path} (a backup is written first)</source>
        <translation>{path}（会先写入备份）</translation>
    </message>
    <message>
        <source>{name}   (replaces the file there)</source>
        <translation>{name}   （将替换已有文件）</translation>
    </message>
    <message>
        <source>Save all snippets?</source>
        <translation>保存全部代码片段？</translation>
    </message>
    <message>
        <source>%n file(s) will be written in {folder}:</source>
        <translation>将在 {folder} 中写入 %n 个文件：</translation>
    </message>
</context>
<context>
    <name>SnippetFiles</name>
    <message>
        <source>{name} is not a safe file name</source>
        <translation>{name} 不是安全的文件名</translation>
    </message>
    <message>
        <source>{name} would be written outside {folder}</source>
        <translation>{name} 会被写到 {folder} 之外</translation>
    </message>
    <message>
        <source>{name} could not be written ({error}); {n} of {total} files were saved before it</source>
        <translation>无法写入 {name}（{error}）；在此之前已保存 {total} 个文件中的 {n} 个</translation>
    </message>
    <message>
        <source>{name} cannot be read: {error}</source>
        <translation>无法读取 {name}：{error}</translation>
    </message>
    <message>
        <source>{name} is not a file</source>
        <translation>{name} 不是文件</translation>
    </message>
    <message>
        <source>{name} is {size:.1f} MB; files over {limit:.0f} MB are not compared</source>
        <translation>{name} 大小为 {size:.1f} MB；超过 {limit:.0f} MB 的文件不做比较</translation>
    </message>
    <message>
        <source>{name} is over {limit:.0f} MB</source>
        <translation>{name} 超过 {limit:.0f} MB</translation>
    </message>
    <message>
        <source>{name} is a binary file, not text</source>
        <translation>{name} 是二进制文件，不是文本</translation>
    </message>
    <message>
        <source>{name} is not UTF-8 text</source>
        <translation>{name} 不是 UTF-8 文本</translation>
    </message>
</context>
<context>
    <name>SnippetLibrary</name>
    <message>
        <source>Snippets</source>
        <translation>代码片段</translation>
    </message>
    <message>
        <source>Filter by text in the code or the file name</source>
        <translation>按代码或文件名中的文字筛选</translation>
    </message>
    <message>
        <source>Filter snippets</source>
        <translation>筛选代码片段</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>All languages</source>
        <translation>全部语言</translation>
    </message>
    <message>
        <source>Snippet</source>
        <translation>代码片段</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Snippet preview</source>
        <translation>代码片段预览</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Open in code pane</source>
        <translation>在代码面板中打开</translation>
    </message>
    <message>
        <source>Go to the message</source>
        <translation>转到该消息</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>{n} snippets</source>
        <translation>{n} 个代码片段</translation>
    </message>
    <message>
        <source>No snippet matches.</source>
        <translation>没有匹配的代码片段。</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
</context>
<context>
    <name>SnippetLibraryController</name>
    <message>
        <source>Copied the code.</source>
        <translation>已复制代码。</translation>
    </message>
    <message>
        <source>Could not save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Save snippet as</source>
        <translation>代码片段另存为</translation>
    </message>
</context>
<context>
    <name>TestsDialog</name>
    <message>
        <source>Tests for the snippet</source>
        <translation>代码片段的测试</translation>
    </message>
    <message>
        <source>Asserts or test functions (def test_…) that use the snippet&apos;s names (or import snippet); each test is reported passed or failed.</source>
        <translation>使用代码片段中名称的断言或测试函数（def test_…）（也可以 import snippet）；每个测试都会报告通过或失败。</translation>
    </message>
</context>
<context>
    <name>ToolsController</name>
    <message>
        <source>Open &amp;Workspace…</source>
        <translation>打开工作区(&amp;W)…</translation>
    </message>
    <message>
        <source>Choose the folder GLM-4 may read and edit</source>
        <translation>选择 GLM-4 可以读取和编辑的文件夹</translation>
    </message>
    <message>
        <source>MCP</source>
        <translation>MCP</translation>
    </message>
    <message>
        <source>The MCP servers whose tools this conversation offers</source>
        <translation>本对话提供其工具的 MCP 服务器</translation>
    </message>
    <message>
        <source>Choose the workspace folder</source>
        <translation>选择工作区文件夹</translation>
    </message>
    <message>
        <source>Workspace: {name}</source>
        <translation>工作区：{name}</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>启动中…</translation>
    </message>
    <message>
        <source>not running</source>
        <translation>未运行</translation>
    </message>
    <message>
        <source>No MCP server is enabled</source>
        <translation>没有启用的 MCP 服务器</translation>
    </message>
    <message>
        <source>Manage MCP servers…</source>
        <translation>管理 MCP 服务器…</translation>
    </message>
    <message>
        <source>No MCP server is configured</source>
        <translation>尚未配置 MCP 服务器</translation>
    </message>
    <message>
        <source>MCP: {n}</source>
        <translation>MCP：{n}</translation>
    </message>
    <message>
        <source>No server is on for this conversation</source>
        <translation>本对话没有开启任何服务器</translation>
    </message>
    <message>
        <source>Failed: {names}</source>
        <translation>失败：{names}</translation>
    </message>
    <message>
        <source>GLM-4 wants to create {path}:</source>
        <translation>GLM-4 想要创建 {path}：</translation>
    </message>
    <message>
        <source>GLM-4 wants to change {path}:</source>
        <translation>GLM-4 想要修改 {path}：</translation>
    </message>
    <message>
        <source>GLM-4 wants to run {tool} on the MCP server {server}:</source>
        <translation>GLM-4 想要在 MCP 服务器 {server} 上运行 {tool}：</translation>
    </message>
    <message>
        <source>GLM-4 wants to run {tool}.</source>
        <translation>GLM-4 想要运行 {tool}。</translation>
    </message>
    <message>
        <source>GLM-4 wants to run this {language} code WITHOUT a sandbox (none works here: it could read your files and reach the network):</source>
        <translation>GLM-4 想要在没有沙箱的情况下运行这段 {language} 代码（本机没有可用的沙箱：它可以读取你的文件并访问网络）：</translation>
    </message>
    <message>
        <source>GLM-4 wants to run this {language} code in the sandbox:</source>
        <translation>GLM-4 想要在沙箱中运行这段 {language} 代码：</translation>
    </message>
</context>
<context>
    <name>ToolsPage</name>
    <message>
        <source>Ask before GLM-4 reads files in the workspace</source>
        <translation>GLM-4 读取工作区文件前先询问</translation>
    </message>
    <message>
        <source>Ask before GLM-4 changes files (a backup is kept)</source>
        <translation>GLM-4 修改文件前先询问（会保留备份）</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Search the web in new conversations</source>
        <translation>新对话默认联网搜索</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>不限时间</translation>
    </message>
    <message>
        <source>The past year</source>
        <translation>过去一年</translation>
    </message>
    <message>
        <source>The past month</source>
        <translation>过去一个月</translation>
    </message>
    <message>
        <source>The past week</source>
        <translation>过去一周</translation>
    </message>
    <message>
        <source>The past day</source>
        <translation>过去一天</translation>
    </message>
    <message>
        <source>Tool rounds per answer:</source>
        <translation>每个回答的工具轮数：</translation>
    </message>
    <message>
        <source>MCP call timeout:</source>
        <translation>MCP 调用超时：</translation>
    </message>
    <message>
        <source>Web search:</source>
        <translation>联网搜索：</translation>
    </message>
    <message>
        <source>Results:</source>
        <translation>结果数：</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>时间范围：</translation>
    </message>
    <message>
        <source>MCP servers</source>
        <translation>MCP 服务器</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import JSON…</source>
        <translation>导入 JSON…</translation>
    </message>
    <message>
        <source>Paste or choose an mcpServers configuration (claude_desktop_config.json, …)</source>
        <translation>粘贴或选择一个 mcpServers 配置（claude_desktop_config.json 等）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Tools from Model Context Protocol servers, offered to GLM-4 as SERVER__TOOL. Each call asks first unless the tool is in the server&apos;s alwaysAllow. Changes here take effect at once; values of env and headers are kept in the keyring.</source>
        <translation>来自模型上下文协议（MCP）服务器的工具，以 SERVER__TOOL 的名称提供给 GLM-4。除非该工具在服务器的 alwaysAllow 中，每次调用前都会先询问。这里的更改立即生效；env 和 headers 的值保存在钥匙串中。</translation>
    </message>
    <message>
        <source> (this run only)</source>
        <translation>（仅本次运行）</translation>
    </message>
    <message>
        <source>State: {state}</source>
        <translation>状态：{state}</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Tools ({n}): {names}</source>
        <translation>工具（{n}）：{names}</translation>
    </message>
    <message>
        <source>Tools: known once it runs.</source>
        <translation>工具：运行后可知。</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>Removed {name}.</source>
        <translation>已删除 {name}。</translation>
    </message>
    <message>
        <source>Imported {n} server(s).</source>
        <translation>已导入 {n} 个服务器。</translation>
    </message>
    <message>
        <source>Skipped: {which}</source>
        <translation>已跳过：{which}</translation>
    </message>
    <message>
        <source>Import MCP servers</source>
        <translation>导入 MCP 服务器</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Paste the mcpServers part of a Claude Desktop, Cursor or Cline configuration, or a whole claude_desktop_config.json.</source>
        <translation>粘贴 Claude Desktop、Cursor 或 Cline 配置中的 mcpServers 部分，或整个 claude_desktop_config.json。</translation>
    </message>
    <message>
        <source>Choose an MCP configuration</source>
        <translation>选择 MCP 配置</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>MCP server</source>
        <translation>MCP 服务器</translation>
    </message>
    <message>
        <source>A program on this computer (stdio)</source>
        <translation>本机上的程序（stdio）</translation>
    </message>
    <message>
        <source>A remote server (Streamable HTTP)</source>
        <translation>远程服务器（Streamable HTTP）</translation>
    </message>
    <message>
        <source>A remote server (SSE, older)</source>
        <translation>远程服务器（SSE，旧式）</translation>
    </message>
    <message>
        <source>tool names that run without asking, comma-separated</source>
        <translation>无需询问即可运行的工具名，用逗号分隔</translation>
    </message>
    <message>
        <source>Start with the app</source>
        <translation>随应用启动</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Command:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>环境变量：</translation>
    </message>
    <message>
        <source>Headers:</source>
        <translation>请求头：</translation>
    </message>
    <message>
        <source>One NAME=value per line; the values go to the keyring. A stored value shows as NAME= and is kept unless you type a new one.</source>
        <translation>每行一个 NAME=值；值保存在钥匙串中。已保存的值显示为 NAME=，除非输入新值，否则保持不变。</translation>
    </message>
    <message>
        <source>Always allow:</source>
        <translation>始终允许：</translation>
    </message>
    <message>
        <source>there already is a server of that name</source>
        <translation>已有同名服务器</translation>
    </message>
    <message>
        <source>Not saved: {problem}</source>
        <translation>未保存：{problem}</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>Usage</name>
    <message>
        <source>{tokens_in} in · {tokens_out} out</source>
        <translation>输入 {tokens_in} · 输出 {tokens_out}</translation>
    </message>
    <message>
        <source>{tokens_in} in · {tokens_out} out · free</source>
        <translation>输入 {tokens_in} · 输出 {tokens_out} · 免费</translation>
    </message>
    <message>
        <source>{tokens_in} in · {tokens_out} out · {usd}</source>
        <translation>输入 {tokens_in} · 输出 {tokens_out} · {usd}</translation>
    </message>
</context>
<context>
    <name>UsageChart</name>
    <message>
        <source>No usage this month</source>
        <translation>本月没有用量</translation>
    </message>
</context>
<context>
    <name>UsageController</name>
    <message>
        <source>&amp;Usage</source>
        <translation>用量(&amp;U)</translation>
    </message>
    <message>
        <source>This conversation: {cost}</source>
        <translation>本对话：{cost}</translation>
    </message>
    <message>
        <source>Monthly budget passed</source>
        <translation>已超出每月预算</translation>
    </message>
    <message>
        <source>This month&apos;s spending, ${spent:.2f}, has passed your budget of ${budget:.2f}. Send anyway? (You will not be asked again this month.)</source>
        <translation>本月花费 ${spent:.2f} 已超出你的预算 ${budget:.2f}。仍要发送吗？（本月不会再询问。）</translation>
    </message>
    <message>
        <source>Not sent: the monthly budget has been passed.</source>
        <translation>未发送：已超出每月预算。</translation>
    </message>
</context>
<context>
    <name>UsageWindow</name>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Monthly budget:</source>
        <translation>每月预算：</translation>
    </message>
    <message>
        <source>No answers with usage yet.</source>
        <translation>还没有带用量的回答。</translation>
    </message>
    <message>
        <source>In all: {cost}</source>
        <translation>合计：{cost}</translation>
    </message>
    <message>
        <source>${budget:.2f} a month: {percent:.0f} % used.</source>
        <translation>每月 ${budget:.2f}：已用 {percent:.0f}%。</translation>
    </message>
    <message>
        <source>No budget: no warning before a request.</source>
        <translation>没有预算：发送前不提醒。</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to GLM Desk</source>
        <translation>欢迎使用 GLM Desk</translation>
    </message>
    <message>
        <source>GLM Desk talks to the GLM-4-32B model. To use it online, paste an API key from Z.AI or OpenRouter; or run the model on this computer, offline.</source>
        <translation>GLM Desk 与 GLM-4-32B 模型对话。在线使用时，请粘贴 Z.AI 或 OpenRouter 的 API 密钥；也可以在这台电脑上离线运行模型。</translation>
    </message>
    <message>
        <source>Z.AI: GLM-4-32B with a 128K context</source>
        <translation>Z.AI：GLM-4-32B，128K 上下文</translation>
    </message>
    <message>
        <source>OpenRouter: GLM-4-32B, and a free version with a 32K context</source>
        <translation>OpenRouter：GLM-4-32B，另有 32K 上下文的免费版本</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <source>Paste your API key</source>
        <translation>粘贴你的 API 密钥</translation>
    </message>
    <message>
        <source>Check the key and start</source>
        <translation>检查密钥并开始</translation>
    </message>
    <message>
        <source>Save the key without checking</source>
        <translation>不检查，直接保存密钥</translation>
    </message>
    <message>
        <source>Use a local model (offline)…</source>
        <translation>使用本地模型（离线）…</translation>
    </message>
    <message>
        <source>Skip for now</source>
        <translation>暂时跳过</translation>
    </message>
    <message>
        <source>You can change all of this later in Settings (Ctrl+,).</source>
        <translation>以后可以在“设置”（Ctrl+,）中更改这些内容。</translation>
    </message>
    <message>
        <source>No key yet? Create one at &lt;a href=&quot;{url}&quot;&gt;{host}&lt;/a&gt;.</source>
        <translation>还没有密钥？请在 &lt;a href=&quot;{url}&quot;&gt;{host}&lt;/a&gt; 创建。</translation>
    </message>
    <message>
        <source>Your key is kept in the system keyring, never in a file.</source>
        <translation>你的密钥保存在系统密钥环中，从不写入文件。</translation>
    </message>
    <message>
        <source>Paste your {provider} API key first.</source>
        <translation>请先粘贴你的 {provider} API 密钥。</translation>
    </message>
    <message>
        <source>Checking the key with {provider}…</source>
        <translation>正在通过 {provider} 检查密钥…</translation>
    </message>
</context>
</TS>
