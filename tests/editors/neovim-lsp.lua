-- Drives Neovim's built-in LSP client against the Modelspec server: open a file, wait for
-- diagnostics, ask for a hover, and write what came back as JSON for the test to check.
local server, file, out = _G.arg_server, _G.arg_file, _G.arg_out
local result = { diagnostics = {}, hover = nil, error = nil }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'modelspec',
    cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(buf, client_id)
  vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity, code = d.code })
  end
  -- Hover on the first conv2d layer.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, line in ipairs(lines) do
    local col = line:find('conv2d')
    if col then
      local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = i - 1, character = col } }
      local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
      for _, r in pairs(responses or {}) do
        if r.result and r.result.contents then result.hover = r.result.contents end
      end
      break
    end
  end
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()
